//! ARN formats (SPEC §3.2).

use compact_str::CompactString;

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
///
/// Both parts are [`CompactString`]s: an account id (12 digits) and a region name fit inline, so resolving the
/// caller of every request and cloning the scope into a namespace key allocate nothing.
pub struct Scope {
    pub account: CompactString,
    pub region: CompactString,
}

impl Scope {
    pub fn new(account: impl Into<CompactString>, region: impl Into<CompactString>) -> Self {
        Scope { account: account.into(), region: region.into() }
    }

    pub fn partition(&self) -> &'static str {
        partition_for_region(&self.region)
    }

    /// `arn:<p>:lambda:<region>:<account>:function:<name>`
    pub fn function_arn(&self, name: &str) -> String {
        self.lambda_arn("function", name, None)
    }

    /// `arn:<p>:lambda:<region>:<account>:function:<name>:<qualifier>`
    pub fn qualified_function_arn(&self, name: &str, qualifier: &str) -> String {
        self.lambda_arn("function", name, Some(qualifier))
    }

    /// `arn:<p>:lambda:<region>:<account>:<kind>:<name>[:<suffix>]`, in one allocation of its exact size: every
    /// AddPermission builds one, and `format!` cost more than the rest of building the statement.
    fn lambda_arn(&self, kind: &str, name: &str, suffix: Option<&str>) -> String {
        let partition = self.partition();
        let suffix_len = suffix.map_or(0, |s| s.len() + 1);
        let len = "arn:".len()
            + partition.len()
            + ":lambda:".len()
            + self.region.len()
            + 1
            + self.account.len()
            + 1
            + kind.len()
            + 1
            + name.len()
            + suffix_len;
        let mut arn = String::with_capacity(len);
        for part in ["arn:", partition, ":lambda:", &self.region, ":", &self.account, ":", kind, ":", name] {
            arn.push_str(part);
        }
        if let Some(suffix) = suffix {
            arn.push(':');
            arn.push_str(suffix);
        }
        arn
    }

    /// `arn:<p>:lambda:<region>:<account>:layer:<name>`
    pub fn layer_arn(&self, name: &str) -> String {
        self.lambda_arn("layer", name, None)
    }

    /// `arn:<p>:lambda:<region>:<account>:layer:<name>:<version>`
    pub fn layer_version_arn(&self, name: &str, version: u64) -> String {
        let mut digits = [0u8; 20];
        self.lambda_arn("layer", name, Some(decimal(version, &mut digits)))
    }

    /// `arn:<p>:iam::<account>:root` for this scope's partition.
    pub fn account_root_arn(&self, account: &str) -> String {
        format!("arn:{}:iam::{}:root", self.partition(), account)
    }
}

/// `n` in decimal, written at the end of `buf` (20 bytes hold any u64).
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).expect("ASCII digits")
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
        assert_eq!(s.layer_arn("l"), "arn:aws:lambda:us-east-2:123456789012:layer:l");
        for v in [0, 1, 9, 10, 1234567890, u64::MAX] {
            assert_eq!(s.layer_version_arn("l", v), format!("arn:aws:lambda:us-east-2:123456789012:layer:l:{v}"));
        }
        let cn = Scope::new("123456789012", "cn-north-1");
        assert_eq!(
            cn.qualified_function_arn("f", "$LATEST"),
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST"
        );
    }
}
