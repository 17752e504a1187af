//! The identifiers requests carry, each parsed in one place: an account id, a region, and the ARNs of functions,
//! layers, layer versions and IAM principals; and [`Scope`], the account and region a resource lives in, which
//! builds the ARNs responses carry (SPEC §3.2).
//!
//! Each `parse` is the one check of its rule: anything else that needs to know whether a text is an account id, a
//! region or such an ARN asks it. The ARN types borrow the text they were parsed from.

use std::fmt;

use compact_str::CompactString;

/// An AWS account id: exactly 12 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(CompactString);

impl AccountId {
    /// `value` as an account id, if it is one.
    pub fn parse(value: &str) -> Option<AccountId> {
        Self::is_valid(value).then(|| AccountId(value.into()))
    }

    /// Whether `value` is an account id: 12 ASCII digits.
    #[inline]
    pub fn is_valid(value: &str) -> bool {
        value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A region name as lambdalite takes one from a request: lower-case ASCII letters, digits and dashes, at least one.
/// It need not be a region AWS has (`us-east-1`, `eusc-de-east-1`, a local `dev-local-1`): any such name is a
/// namespace of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(CompactString);

impl Region {
    /// `value` as a region name, if it is one.
    pub fn parse(value: &str) -> Option<Region> {
        Self::is_valid(value).then(|| Region(value.into()))
    }

    /// Whether `value` is a region name (see [`Region`]).
    #[inline]
    pub fn is_valid(value: &str) -> bool {
        !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many dash-separated parts the name has (`us-east-1` has 3).
    pub fn parts(&self) -> usize {
        self.0.split('-').count()
    }
}

/// The parts of `arn:<partition>:lambda:<region>:<account>:<kind>:<rest>` when `arn` is a Lambda ARN of `kind`, with
/// `rest` split at its colons.
fn lambda_arn_parts<'a>(arn: &'a str, kind: &str) -> Option<(&'a str, &'a str, Vec<&'a str>)> {
    let mut parts = arn.strip_prefix("arn:")?.split(':');
    let (_partition, service, region, account) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (service == "lambda" && parts.next()? == kind).then(|| (region, account, parts.collect()))
}

/// A function ARN, qualified or not: `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`,
/// with a region, a 12-digit account, a name and, when present, a qualifier. The partition is not kept: ARNs are
/// always rendered with the region's partition.
///
/// This is the full ARN only (the policy simulation's `Resource`); a `FunctionName`, which may also be a bare or
/// partial name, is taken apart by `domain::function_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionArn<'a> {
    pub scope: Scope,
    pub name: &'a str,
    pub qualifier: Option<&'a str>,
}

impl<'a> FunctionArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        let (region, account, rest) = lambda_arn_parts(arn, "function")?;
        match rest.as_slice() {
            [name, qualifier @ ..]
                if qualifier.len() <= 1
                    && !region.is_empty()
                    && AccountId::is_valid(account)
                    && !name.is_empty()
                    && qualifier.first().is_none_or(|q| !q.is_empty()) =>
            {
                Some(FunctionArn { scope: Scope::new(account, region), name, qualifier: qualifier.first().copied() })
            }
            _ => None,
        }
    }
}

/// A layer ARN without a version: `arn:<partition>:lambda:<region>:<account>:layer:<name>`, the ARN form of a
/// `LayerName`. Parsed from a value that passed the `LayerName` pattern, so it checks only the layout; everything
/// after `layer:` is the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerArn<'a> {
    pub scope: Scope,
    pub name: &'a str,
}

impl<'a> LayerArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        // arn:<p>:lambda:<region>:<account>:layer:<name>, the name taking any further colons.
        let parts: Vec<&str> = arn.strip_prefix("arn:")?.splitn(6, ':').collect();
        match parts.as_slice() {
            [_, "lambda", region, account, "layer", name] => {
                Some(LayerArn { scope: Scope::new(*account, *region), name })
            }
            _ => None,
        }
    }
}

/// A layer version ARN: `arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>`, every part non-empty.
/// The version is kept as written: where it is not a number, the version simply does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerVersionArn<'a> {
    pub scope: Scope,
    pub name: &'a str,
    pub version: &'a str,
}

impl<'a> LayerVersionArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        let (region, account, rest) = lambda_arn_parts(arn, "layer")?;
        match rest.as_slice() {
            [name, version] if !region.is_empty() && !account.is_empty() && !name.is_empty() && !version.is_empty() => {
                Some(LayerVersionArn { scope: Scope::new(account, region), name, version })
            }
            _ => None,
        }
    }
}

/// Which service an [`IamArn`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamService {
    /// `arn:<p>:iam::`: the account root, users and roles.
    Iam,
    /// `arn:<p>:sts::`: role sessions (`assumed-role/<role>/<session>`) and federated users, the identities a
    /// request is made as once a role is assumed.
    Sts,
}

/// The ARN of an IAM principal: `arn:<partition>:iam::<account>:<resource>` or `arn:<partition>:sts::<account>:
/// <resource>`. IAM and STS ARNs have no region; the partition has the shape the model's ARN patterns give it
/// (`aws[a-zA-Z-]*`); the account is 12 digits; the resource names something (any further colons are part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamArn<'a> {
    pub partition: &'a str,
    pub service: IamService,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> IamArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        let mut parts = arn.strip_prefix("arn:")?.splitn(5, ':');
        let (partition, service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let service = match service {
            "iam" => IamService::Iam,
            "sts" => IamService::Sts,
            _ => return None,
        };
        let partition_ok =
            partition.strip_prefix("aws").is_some_and(|p| p.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'));
        (partition_ok && region.is_empty() && AccountId::is_valid(account) && !resource.is_empty()).then_some(IamArn {
            partition,
            service,
            account,
            resource,
        })
    }

    /// Whether this is the root principal of its account (`arn:<p>:iam::<account>:root`), which stands for every
    /// principal of the account in a policy.
    pub fn is_account_root(&self) -> bool {
        self.service == IamService::Iam && self.resource == "root"
    }
}

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
    fn account_ids_and_regions() {
        for (value, ok) in [
            ("123456789012", true),
            ("12345678901", false),
            ("1234567890123", false),
            ("12345678901a", false),
            ("", false),
        ] {
            assert_eq!(AccountId::parse(value).map(|a| a.to_string()), ok.then(|| value.to_owned()), "{value}");
        }
        for (value, ok) in [
            ("us-east-1", true),
            ("eusc-de-east-1", true),
            ("local", true),
            ("US-EAST-1", false),
            ("us east", false),
            ("", false),
        ] {
            assert_eq!(Region::is_valid(value), ok, "{value}");
        }
        assert_eq!(Region::parse("us-gov-west-1").unwrap().parts(), 4);
    }

    #[test]
    fn function_arns_parse() {
        let a = FunctionArn::parse("arn:aws:lambda:us-east-1:111111111111:function:f:live").unwrap();
        assert_eq!((a.scope.account.as_str(), a.name, a.qualifier), ("111111111111", "f", Some("live")));
        assert!(FunctionArn::parse("arn:aws:lambda:us-east-1:111111111111:function:f").unwrap().qualifier.is_none());
        for bad in [
            "f",
            "arn:aws:lambda:us-east-1:1111:function:f",
            "arn:aws:lambda:us-east-1:111111111111:function:f:1:2",
            "arn:aws:lambda:us-east-1:111111111111:function:f:",
        ] {
            assert!(FunctionArn::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn layer_version_arns() {
        let a = LayerVersionArn::parse("arn:aws:lambda:us-east-2:123456789012:layer:my-layer:7").unwrap();
        assert_eq!((a.scope, a.name, a.version), (Scope::new("123456789012", "us-east-2"), "my-layer", "7"));
        assert!(LayerVersionArn::parse("arn:aws:lambda:us-east-2:123456789012:layer:my-layer").is_none());
        assert!(LayerVersionArn::parse("arn:aws:lambda:::awslayer:x").is_none());
        assert!(LayerVersionArn::parse("my-layer:1").is_none());
    }

    #[test]
    fn iam_arns_tell_iam_from_sts() {
        let role = IamArn::parse("arn:aws:iam::223456789012:role/a:b").unwrap();
        assert_eq!(
            (role.partition, role.service, role.account, role.resource),
            ("aws", IamService::Iam, "223456789012", "role/a:b")
        );
        assert!(!role.is_account_root());
        assert!(IamArn::parse("arn:aws-us-gov:iam::223456789012:root").unwrap().is_account_root());
        let session = IamArn::parse("arn:aws:sts::223456789012:assumed-role/r/s").unwrap();
        assert_eq!(session.service, IamService::Sts);
        assert!(!IamArn::parse("arn:aws:sts::223456789012:root").unwrap().is_account_root());
        for bad in [
            "arn:aws:iam:us-east-1:223456789012:root",
            "arn:aws:iam::22345678901a:root",
            "arn:aws:iam::223456789012:",
            "arn:aws:iam::223456789012",
            "arn:other:iam::223456789012:root",
            "arn:aws.x:iam::223456789012:root",
            "arn:aws:s3:::bucket",
        ] {
            assert!(IamArn::parse(bad).is_none(), "{bad}");
        }
    }

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
