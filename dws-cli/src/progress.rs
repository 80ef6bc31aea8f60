//! A one-line stderr spinner for long waits (`--page-all`, the device-flow wait, `upgrade` downloads). Only on a
//! terminal and never with `-q`: redirected stderr stays free of carriage returns and escape sequences.

use std::io::{IsTerminal as _, Write};
use std::time::Duration;

use crate::settings::Settings;

const FRAMES: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A spinner line that is rewritten in place and cleared when done (or dropped).
pub(crate) struct Progress {
    out: Option<Box<dyn Write + Send>>,
    frame: usize,
    shown: bool,
}

impl Progress {
    /// A spinner on stderr when stderr is a terminal and `-q` is off; otherwise one that prints nothing.
    pub(crate) fn new(settings: &Settings) -> Self {
        let on = !settings.quiet && std::io::stderr().is_terminal();
        Self::to(on.then(|| Box::new(std::io::stderr()) as Box<dyn Write + Send>))
    }

    /// A spinner writing to `out` (`None`: silent).
    pub(crate) fn to(out: Option<Box<dyn Write + Send>>) -> Self {
        Self {
            out,
            frame: 0,
            shown: false,
        }
    }

    /// Shows `text` after the next spinner frame.
    pub(crate) fn update(&mut self, text: &str) {
        let Some(out) = self.out.as_mut() else { return };
        let frame = FRAMES[self.frame % FRAMES.len()];
        self.frame += 1;
        let _ = write!(out, "\r\x1b[2K{frame} {}", crate::output::clean(text));
        let _ = out.flush();
        self.shown = true;
    }

    /// Clears the line.
    pub(crate) fn finish(&mut self) {
        if self.shown
            && let Some(out) = self.out.as_mut()
        {
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Awaits `fut`, showing `label` and the seconds waited (with `limit` counting down when given) every 200 ms.
pub(crate) async fn waiting<F: Future>(
    settings: &Settings,
    label: &str,
    limit: Option<Duration>,
    fut: F,
) -> F::Output {
    let mut progress = Progress::new(settings);
    if progress.out.is_none() {
        return fut.await;
    }
    let started = dingtalk_core::Clock::now(&dingtalk_core::SystemClock);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    tokio::pin!(fut);
    loop {
        tokio::select! {
            out = &mut fut => {
                progress.finish();
                return out;
            }
            _ = tick.tick() => {
                let waited = started.elapsed();
                let text = match limit {
                    Some(l) => format!("{label} ({}s left)", l.saturating_sub(waited).as_secs()),
                    None => format!("{label} ({}s)", waited.as_secs()),
                };
                progress.update(&text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn spinner_rewrites_one_line_and_clears_it() {
        let sink = Sink::default();
        let mut p = Progress::to(Some(Box::new(sink.clone())));
        p.update("page 1");
        p.update("page 2 \u{1b}[31m");
        drop(p);
        let text =
            String::from_utf8(sink.0.lock().map(|v| v.clone()).unwrap_or_default()).unwrap_or_default();
        assert_eq!(text, "\r\x1b[2K⠋ page 1\r\x1b[2K⠙ page 2 \r\x1b[2K");
    }

    #[test]
    fn silent_without_a_terminal() {
        let mut p = Progress::to(None);
        p.update("x");
        p.finish();
        assert!(!p.shown);
    }
}
