use log::{error, warn};
use tracing::{event, Level};

fn connect(addr: &str) -> Result<(), Error> {
    warn!("retrying connection to {}", addr); // #net
    error!(target: "db", "query failed: {:?}", err);
    log::info!("connected to {addr}");
    tracing::error!(error = %e, peer = ?peer, "handshake failed after {} ms", ms);
    tracing::warn!(?err, "escape {{literal}} braces\n");
    event!(Level::WARN, "event macro {}", x);
    debug!(r#"raw "string" {}"#, y); // @rin
    error!("{}", format!("formatted {}", z));
    println!("not a log");
    eprintln!("not a log either {}", e);
    panic!("not a log");
    warn!(
        "multi line {}",
        x
    ); // #net @rin
    Ok(())
}
