//! A TCP relay in front of a real SMTP server that lets a number of messages
//! through and then holds every later one at its `MAIL FROM`: the server
//! never sees the held message, and the client waits for a reply that never
//! comes. A worker caught there is in the middle of its jobs with nothing
//! half-sent, so a test can kill it and expect each message exactly once.

use std::{
    io::{BufRead, BufReader, Write},
    net::{Shutdown, TcpListener, TcpStream},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    thread,
    time::Duration,
};

pub struct SmtpGate {
    pub port: u16,
    state: Arc<State>,
}

struct State {
    /// Messages still allowed through.
    budget: AtomicUsize,
    /// Messages held at their `MAIL FROM`.
    held: AtomicUsize,
    closed: AtomicBool,
}

impl SmtpGate {
    /// Relays to the SMTP server on `upstream`, letting `budget` messages through.
    pub fn start(upstream: u16, budget: usize) -> SmtpGate {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP gate");
        let port = listener.local_addr().expect("an address").port();
        let state = Arc::new(State {
            budget: AtomicUsize::new(budget),
            held: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        });
        let shared = state.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                if shared.closed.load(Ordering::SeqCst) {
                    return;
                }
                let (Ok(client), Ok(server)) =
                    (client, TcpStream::connect(("127.0.0.1", upstream)))
                else {
                    continue;
                };
                let state = shared.clone();
                thread::spawn(move || relay(client, server, &state));
            }
        });
        SmtpGate { port, state }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// How many messages are held at their `MAIL FROM` now.
    pub fn held(&self) -> usize {
        self.state.held.load(Ordering::SeqCst)
    }
}

impl Drop for SmtpGate {
    fn drop(&mut self) {
        self.state.closed.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the gate closed.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Copies the server's replies to the client as they come, and the client's
/// commands to the server a line at a time, counting transactions.
fn relay(client: TcpStream, server: TcpStream, state: &State) {
    let (Ok(mut to_client), Ok(mut to_server)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let replies = thread::spawn(move || {
        let mut server = server;
        let _ = std::io::copy(&mut server, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
    let mut commands = BufReader::new(client);
    let mut line = Vec::new();
    let mut in_data = false;
    loop {
        line.clear();
        match commands.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let upper = String::from_utf8_lossy(&line).to_ascii_uppercase();
        if in_data {
            in_data = upper != ".\r\n";
        } else if upper.starts_with("MAIL FROM")
            && state
                .budget
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err()
        {
            state.held.fetch_add(1, Ordering::SeqCst);
            // Never forwarded, never answered: the connection stays open and silent.
            while !state.closed.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(50));
            }
            break;
        } else if upper.trim_end() == "DATA" {
            in_data = true;
        }
        if to_server.write_all(&line).is_err() {
            break;
        }
    }
    let _ = to_server.shutdown(Shutdown::Both);
    let _ = replies.join();
}
