//! TLS to the shared store, as the URL's `sslmode` asks (libpq's names; the driver knows three):
//! `disable` sends plain text; `prefer` (the default) uses TLS when the server offers it and
//! plain text when it does not; `require` refuses a server without TLS with a clear error. With
//! TLS the server's certificate is always checked, against Mozilla's roots (webpki-roots) and the
//! system's store, so a team's own CA goes into the system store (`update-ca-certificates`).

use anyhow::{Result, anyhow};
use deadpool_postgres::{Manager, ManagerConfig};
use tokio_postgres::config::SslMode;

/// The pool's connection manager, with a TLS connector unless the URL says `sslmode=disable`.
pub(super) fn manager(config: tokio_postgres::Config, mc: ManagerConfig) -> Result<Manager> {
    if config.get_ssl_mode() == SslMode::Disable {
        return Ok(Manager::from_config(config, tokio_postgres::NoTls, mc));
    }
    Ok(Manager::from_config(config, tokio_postgres_rustls::MakeRustlsConnect::new(client_config()?), mc))
}

fn client_config() -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    // A system store that cannot be read leaves Mozilla's roots, which is what most servers need.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow!("setting up TLS for the shared store: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// What to add to a connection error: how to fix a TLS refusal.
pub(super) fn hint(mode: SslMode, cause: &str) -> &'static str {
    if mode == SslMode::Require && cause.contains("server does not support TLS") {
        return " (the URL has sslmode=require, but this server does not offer TLS: turn `ssl` on in its \
                postgresql.conf, or use sslmode=prefer or sslmode=disable on a network you trust)";
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::super::PgStore;
    use super::super::testing::fresh_database;

    /// The test server has no TLS (scripts/pg-cluster.sh): `require` must fail clearly, the
    /// others connect.
    #[test]
    fn sslmode_require_against_a_server_without_tls_fails_clearly_and_the_others_connect() {
        let Some(url) = fresh_database("store::pg::tls::tests::sslmode") else { return };
        let err = PgStore::connect(&format!("{url}?sslmode=require")).err().expect("require must fail here");
        let msg = format!("{err:#}");
        assert!(msg.contains("sslmode=require, but this server does not offer TLS"), "{msg}");
        assert!(!msg.contains("devteam-test"), "the password is never shown: {msg}");
        for mode in ["prefer", "disable"] {
            let store = PgStore::connect(&format!("{url}?sslmode={mode}")).unwrap_or_else(|e| panic!("{mode}: {e:#}"));
            assert_eq!(store.call_count().unwrap(), 0, "{mode}");
        }
        let bad = PgStore::connect(&format!("{url}?sslmode=verify-full")).err().expect("an unknown mode is refused");
        assert!(format!("{bad:#}").contains("bad PostgreSQL connection string"), "{bad:#}");
    }
}
