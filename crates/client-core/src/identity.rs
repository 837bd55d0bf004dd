//! The default client identity, `pid@hostname`, as the other Temporal SDKs send it.

use std::sync::OnceLock;

/// `pid@hostname` for this process, computed once.
///
/// The host name comes from `/proc/sys/kernel/hostname`, else the `HOSTNAME` or
/// `COMPUTERNAME` environment variable, else `unknown-host`.
pub fn default_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| format!("{}@{}", std::process::id(), hostname()))
}

fn hostname() -> String {
    let from_proc = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    let from_env = || {
        std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::env::var("COMPUTERNAME").ok())
    };
    pick_hostname(from_proc, from_env)
}

fn pick_hostname(from_proc: Option<String>, from_env: impl FnOnce() -> Option<String>) -> String {
    let usable = |name: Option<String>| name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    usable(from_proc)
        .or_else(|| usable(from_env()))
        .unwrap_or_else(|| "unknown-host".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_pid_at_host() {
        let identity = default_identity();
        let (pid, host) = identity.split_once('@').unwrap_or_default();
        assert_eq!(pid, std::process::id().to_string());
        assert!(!host.is_empty());
        assert!(!host.contains('\n'));
        assert!(std::ptr::eq(identity, default_identity()), "computed once");
    }

    #[test]
    fn hostname_fallbacks() {
        assert_eq!(pick_hostname(Some("box\n".into()), || None), "box");
        assert_eq!(
            pick_hostname(Some("  \n".into()), || Some("envhost".into())),
            "envhost"
        );
        assert_eq!(pick_hostname(None, || Some("envhost".into())), "envhost");
        assert_eq!(pick_hostname(None, || Some(String::new())), "unknown-host");
        assert_eq!(pick_hostname(None, || None), "unknown-host");
    }
}
