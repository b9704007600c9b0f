//! The mail adapter for a laptop: each message is an `.eml` file in a folder.

use std::path::PathBuf;

use lettre::Message;

use super::{MailPort, SendFuture};

pub(super) struct Outbox(PathBuf);

impl Outbox {
    pub(super) fn new(dir: PathBuf) -> Self {
        Self(dir)
    }
}

/// The file name of a message: its name, in characters safe on every system.
fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl MailPort for Outbox {
    fn send<'a>(&'a self, message: Message, name: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let file = file_name(name);
            let bytes = message.formatted();
            let dir = self.0.clone();
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::create_dir_all(&dir)?;
                let tmp = dir.join(format!(".{file}.tmp"));
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(tmp, dir.join(format!("{file}.eml")))
            })
            .await
            .map_err(|e| format!("the outbox writer stopped: {e}"))?
            .map_err(|e| format!("cannot write to the outbox: {e}"))
        })
    }

    fn name(&self) -> &'static str {
        "outbox"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_make_safe_file_names() {
        assert_eq!(file_name("enrolled:1b2c-3d"), "enrolled_1b2c-3d");
        assert_eq!(file_name("../x y"), "___x_y");
    }
}
