//! TCP relays in front of real servers, for tests that catch a client in
//! the middle of a conversation and kill it there.
//!
//! - [`SmtpGate`] lets a number of messages through and then holds every
//!   later one at its `MAIL FROM`: the server never sees the held message,
//!   and the client waits for a reply that never comes.
//! - [`DelayRelay`] holds each chunk a client sends for a while before
//!   passing it on, at any point of any protocol (SMTP, S3 over HTTP), and
//!   says how many chunks it holds now.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{Shutdown, TcpListener, TcpStream},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    thread,
    time::Duration,
};

/// What every relay shares with its connections.
struct Shared<S> {
    closed: AtomicBool,
    state: S,
}

/// A listening relay; closed at drop.
struct Relay<S> {
    port: u16,
    shared: Arc<Shared<S>>,
}

impl<S: Send + Sync + 'static> Relay<S> {
    /// Relays every client to the server on `upstream`, passing its commands
    /// through `forward` in a thread of their own.
    fn start(
        upstream: u16,
        state: S,
        forward: fn(BufReader<TcpStream>, TcpStream, &Shared<S>),
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a relay");
        let port = listener.local_addr().expect("an address").port();
        let shared = Arc::new(Shared {
            closed: AtomicBool::new(false),
            state,
        });
        let accepting = shared.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                if accepting.closed.load(Ordering::SeqCst) {
                    return;
                }
                let (Ok(client), Ok(server)) =
                    (client, TcpStream::connect(("127.0.0.1", upstream)))
                else {
                    continue;
                };
                let shared = accepting.clone();
                thread::spawn(move || relay(client, server, &shared, forward));
            }
        });
        Relay { port, shared }
    }
}

impl<S> Drop for Relay<S> {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the relay closed.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Copies the server's replies to the client as they come, and the
/// client's commands to the server through `forward`.
fn relay<S>(
    client: TcpStream,
    server: TcpStream,
    shared: &Shared<S>,
    forward: fn(BufReader<TcpStream>, TcpStream, &Shared<S>),
) {
    let (Ok(mut to_client), Ok(to_server)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let replies = thread::spawn(move || {
        let mut server = server;
        let _ = std::io::copy(&mut server, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
    forward(
        BufReader::new(client),
        to_server.try_clone().expect("a socket"),
        shared,
    );
    let _ = to_server.shutdown(Shutdown::Both);
    let _ = replies.join();
}

pub struct SmtpGate(Relay<GateState>);

struct GateState {
    /// Messages still allowed through.
    budget: AtomicUsize,
    /// Messages held at their `MAIL FROM`.
    held: AtomicUsize,
}

impl SmtpGate {
    /// Relays to the SMTP server on `upstream`, letting `budget` messages through.
    pub fn start(upstream: u16, budget: usize) -> SmtpGate {
        let state = GateState {
            budget: AtomicUsize::new(budget),
            held: AtomicUsize::new(0),
        };
        SmtpGate(Relay::start(upstream, state, gate_commands))
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.0.port)
    }

    /// How many messages are held at their `MAIL FROM` now.
    pub fn held(&self) -> usize {
        self.0.shared.state.held.load(Ordering::SeqCst)
    }
}

/// Passes the client's commands on a line at a time, counting transactions.
fn gate_commands(
    mut commands: BufReader<TcpStream>,
    mut to_server: TcpStream,
    shared: &Shared<GateState>,
) {
    let state = &shared.state;
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
            while !shared.closed.load(Ordering::SeqCst) {
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
}

pub struct DelayRelay(Relay<DelayState>);

struct DelayState {
    delay: Duration,
    /// Chunks read from a client and not passed on yet.
    held: AtomicUsize,
}

impl DelayRelay {
    /// Relays to the server on `upstream`, holding each chunk for `delay`.
    pub fn start(upstream: u16, delay: Duration) -> DelayRelay {
        let state = DelayState {
            delay,
            held: AtomicUsize::new(0),
        };
        DelayRelay(Relay::start(upstream, state, delay_chunks))
    }

    pub fn port(&self) -> u16 {
        self.0.port
    }

    /// How many chunks clients are waiting on now: above zero, a client is
    /// in the middle of a conversation with the server.
    pub fn held(&self) -> usize {
        self.0.shared.state.held.load(Ordering::SeqCst)
    }
}

fn delay_chunks(
    mut commands: BufReader<TcpStream>,
    mut to_server: TcpStream,
    shared: &Shared<DelayState>,
) {
    let state = &shared.state;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match commands.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        state.held.fetch_add(1, Ordering::SeqCst);
        thread::sleep(state.delay);
        let sent = to_server.write_all(&chunk[..n]);
        state.held.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            break;
        }
    }
}
