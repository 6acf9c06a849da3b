//! Serving connections: how long a client may take, how many may be connected at once, and
//! a graceful stop on SIGTERM or Ctrl-C.
//!
//! `axum::serve` gives hyper no timer, so hyper's header-read timeout never runs: a client
//! that sends its headers slowly, or nothing at all, holds its connection for ever, and
//! hundreds of them hold the server. This is the same loop (HTTP/1.1, `ConnectInfo` for the
//! audit log's addresses, graceful shutdown) with the limits set.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::middleware::AddExtension;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tower::Service;

/// How long clients may take, and how many are served at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time a client has to send a request's headers, from when the connection starts
    /// waiting for them. hyper starts that wait as soon as a response is sent, so this is
    /// also the longest a kept-alive connection stays open between requests.
    pub header_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed, even in the
    /// middle of a request: a client that stops reading a response or sending a body.
    /// Keep it above the slowest page (requests are cut at 30 s anyway).
    pub idle_timeout: Duration,
    /// Connections served at once; further clients wait in the listen queue until one closes.
    pub max_connections: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { header_timeout: Duration::from_secs(10), idle_timeout: Duration::from_secs(60), max_connections: 256 }
    }
}

/// How long a stop waits for the requests under way before it closes what is left.
const DRAIN: Duration = Duration::from_secs(30);

type App = IntoMakeServiceWithConnectInfo<Router, SocketAddr>;

/// Serves `app` on `listener` within `limits` until `stop` completes, then stops accepting,
/// lets the requests under way finish (at most [`DRAIN`]) and returns.
pub async fn serve(
    listener: TcpListener,
    mut app: App,
    limits: Limits,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let places = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stopping, stopped) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        // A place first, then accept: past the cap a client waits in the kernel's listen
        // queue, and its header timeout starts only once it is served.
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.map_err(io::Error::other)?,
            () = &mut stop => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // The make-service is always ready and never fails: it only adds `ConnectInfo`.
        let service = app.call(addr).await.unwrap_or_else(|never| match never {});
        tokio::spawn(connection(stream, service, limits, stopped.clone(), place));
    }
    drop(listener);
    let _ = stopping.send(true);
    tracing::info!("stopping: no new connections, finishing the requests under way");
    // Every connection holds a place until it closes: all places back means all closed.
    if tokio::time::timeout(DRAIN, places.acquire_many(limits.max_connections)).await.is_err() {
        tracing::warn!("stopping: connections still open after {} s are closed", DRAIN.as_secs());
    }
    Ok(())
}

/// What serves one connection: the app, with the client's address for `ConnectInfo`.
type ConnService = AddExtension<Router, ConnectInfo<SocketAddr>>;

/// Serves one connection until it closes, times out, goes idle or the server stops.
async fn connection(
    stream: TcpStream,
    service: ConnService,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
    _place: OwnedSemaphorePermit,
) {
    let activity = Activity::new();
    let io = TokioIo::new(Watched { stream, activity: activity.clone() });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let mut conn = std::pin::pin!(builder.serve_connection(io, TowerToHyperService::new(service)));
    let mut stopping = false;
    loop {
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(error = %e, "connection closed");
                }
                return;
            }
            // Idle connections close now; one under way finishes its request first.
            _ = stopped.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep_until(activity.last() + limits.idle_timeout) => {
                if activity.last().elapsed() >= limits.idle_timeout {
                    tracing::debug!("connection idle for {} s: closed", limits.idle_timeout.as_secs());
                    return;
                }
            }
        }
    }
}

/// A connection error (the client went away) is nothing; anything else, such as running
/// out of file descriptors, is logged and accepting pauses a second, as `axum::serve` does.
async fn accept_error(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset) {
        return;
    }
    tracing::error!("accept error: {e}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Resolves at the first SIGTERM (what systemd and docker send) or SIGINT (Ctrl-C). The
/// handlers are installed here, before the server says it is listening, so a signal sent
/// right after never meets the default action (exit 143 with the WAL not checkpointed).
pub fn stop_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut term, mut int) = (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?);
        Ok(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!("{name} received: stopping");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("Ctrl-C received: stopping");
        })
    }
}

/// When bytes last moved on a connection, shared between its stream and its task.
#[derive(Clone)]
struct Activity {
    start: Instant,
    /// Milliseconds from `start`.
    last: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self { start: Instant::now(), last: Arc::new(AtomicU64::new(0)) }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last.load(Ordering::Relaxed))
    }
}

/// A TCP stream that notes in its [`Activity`] each time bytes are read or written.
struct Watched {
    stream: TcpStream,
    activity: Activity,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
