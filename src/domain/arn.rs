//! ARN formats (SPEC §3.2).

/// The ARN partition of a region.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// Where a resource lives: account, region and the region's partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Scope { account: account.into(), region: region.into() }
    }

    pub fn partition(&self) -> &'static str {
        partition_for_region(&self.region)
    }

    /// `arn:<p>:lambda:<region>:<account>:function:<name>`
    pub fn function_arn(&self, name: &str) -> String {
        format!("arn:{}:lambda:{}:{}:function:{}", self.partition(), self.region, self.account, name)
    }

    /// `arn:<p>:lambda:<region>:<account>:function:<name>:<qualifier>`
    pub fn qualified_function_arn(&self, name: &str, qualifier: &str) -> String {
        format!("{}:{}", self.function_arn(name), qualifier)
    }

    /// `arn:<p>:lambda:<region>:<account>:layer:<name>`
    pub fn layer_arn(&self, name: &str) -> String {
        format!("arn:{}:lambda:{}:{}:layer:{}", self.partition(), self.region, self.account, name)
    }

    /// `arn:<p>:lambda:<region>:<account>:layer:<name>:<version>`
    pub fn layer_version_arn(&self, name: &str, version: u64) -> String {
        format!("{}:{}", self.layer_arn(name), version)
    }

    /// `arn:<p>:iam::<account>:root` for this scope's partition.
    pub fn account_root_arn(&self, account: &str) -> String {
        format!("arn:{}:iam::{}:root", self.partition(), account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        for (region, want) in [
            ("us-east-1", "aws"),
            ("eu-west-3", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
        ] {
            assert_eq!(partition_for_region(region), want, "{region}");
        }
    }

    #[test]
    fn arns() {
        let s = Scope::new("123456789012", "us-east-2");
        assert_eq!(s.function_arn("f"), "arn:aws:lambda:us-east-2:123456789012:function:f");
        assert_eq!(s.qualified_function_arn("f", "1"), "arn:aws:lambda:us-east-2:123456789012:function:f:1");
        assert_eq!(s.layer_version_arn("l", 3), "arn:aws:lambda:us-east-2:123456789012:layer:l:3");
        assert_eq!(s.account_root_arn("223456789012"), "arn:aws:iam::223456789012:root");
    }
}
