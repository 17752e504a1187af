//! Layers and layer permissions.
//! <https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html>
