//! Layer permissions: AddLayerVersionPermission, GetLayerVersionPolicy, RemoveLayerVersionPermission (SPEC §7, §9).
