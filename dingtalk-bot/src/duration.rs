//! Media durations read from file headers, for `sampleVideo` (seconds) and `sampleAudio` (milliseconds).
//!
//! Only what is cheap and exact: MP4 (`moov/mvhd` timescale and duration), WAV (data size / byte rate) and AMR-NB
//! (20 ms per frame, frame sizes from the mode bits). Anything else, or a malformed header, gives `None`.

/// The duration of an MP4 file in milliseconds, from its `moov/mvhd` box.
pub(crate) fn mp4_millis(data: &[u8]) -> Option<u64> {
    let moov = find_box(data, *b"moov")?;
    let mvhd = find_box(moov, *b"mvhd")?;
    let version = *mvhd.first()?;
    // After version and flags: creation and modification times, then timescale and duration.
    let (timescale, duration) = if version == 1 {
        (u64::from(be_u32(mvhd, 20)?), be_u64(mvhd, 24)?)
    } else {
        (u64::from(be_u32(mvhd, 12)?), u64::from(be_u32(mvhd, 16)?))
    };
    if timescale == 0 || duration == u64::MAX || duration == u64::from(u32::MAX) {
        return None;
    }
    Some(duration.saturating_mul(1000) / timescale)
}

/// The duration of a voice file in milliseconds: WAV or AMR-NB.
pub(crate) fn voice_millis(data: &[u8]) -> Option<u64> {
    if data.starts_with(b"RIFF") && data.get(8..12) == Some(b"WAVE") {
        return wav_millis(data);
    }
    if data.starts_with(b"#!AMR\n") {
        return amr_millis(&data[6..]);
    }
    None
}

/// The contents of the first box of `kind` among the boxes in `data` (not recursive).
fn find_box(data: &[u8], kind: [u8; 4]) -> Option<&[u8]> {
    let mut at = 0usize;
    while at + 8 <= data.len() {
        let size32 = be_u32(data, at)?;
        let name = data.get(at + 4..at + 8)?;
        let (header, size) = match size32 {
            0 => (8, data.len() - at),
            1 => (16, usize::try_from(be_u64(data, at + 8)?).ok()?),
            n => (8, usize::try_from(n).ok()?),
        };
        if size < header || at.checked_add(size)? > data.len() {
            return None;
        }
        if name == kind.as_slice() {
            return data.get(at + header..at + size);
        }
        at += size;
    }
    None
}

fn wav_millis(data: &[u8]) -> Option<u64> {
    let mut at = 12usize;
    let mut byte_rate = None;
    while at + 8 <= data.len() {
        let id = data.get(at..at + 4)?;
        let size = usize::try_from(le_u32(data, at + 4)?).ok()?;
        match id {
            b"fmt " => byte_rate = Some(u64::from(le_u32(data, at + 16)?)),
            b"data" => {
                let rate = byte_rate.filter(|r| *r > 0)?;
                // A streamed WAV may leave the size at 0 or past the end: count what is there.
                let bytes = size.min(data.len() - (at + 8));
                return Some(u64::try_from(bytes).ok()?.saturating_mul(1000) / rate);
            }
            _ => {}
        }
        at = at.checked_add(8 + size + (size & 1))?;
    }
    None
}

fn amr_millis(frames: &[u8]) -> Option<u64> {
    // AMR-NB frame payload sizes by mode (3GPP TS 26.101); 15 is NO_DATA; 9..=14 are comfort noise or reserved.
    const SIZES: [usize; 16] = [12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0];
    let mut at = 0usize;
    let mut count = 0u64;
    while at < frames.len() {
        let mode = usize::from((frames[at] >> 3) & 0x0f);
        at += 1 + SIZES[mode];
        count += 1;
    }
    (count > 0).then_some(count * 20)
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(data.get(at..at + 8)?.try_into().ok()?))
}

fn le_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Test and demo helpers: tiny files with known durations.
#[cfg(test)]
pub(crate) mod samples {
    /// A minimal MP4 (`ftyp` + `moov/mvhd` version 0) lasting `millis` at timescale 1000.
    pub(crate) fn mp4(millis: u32) -> Vec<u8> {
        let mut mvhd = vec![0u8; 4 + 16 + 80];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&millis.to_be_bytes());
        let mut out = Vec::new();
        boxed(&mut out, *b"ftyp", b"isom\0\0\0\0isom");
        let mut moov = Vec::new();
        boxed(&mut moov, *b"mvhd", &mvhd);
        boxed(&mut out, *b"moov", &moov);
        out
    }

    fn boxed(out: &mut Vec<u8>, kind: [u8; 4], body: &[u8]) {
        let size = u32::try_from(body.len() + 8).unwrap_or(u32::MAX);
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(&kind);
        out.extend_from_slice(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mp4_duration_from_mvhd() {
        assert_eq!(mp4_millis(&samples::mp4(12_345)), Some(12_345));
        // Version 1: 64-bit times and duration, timescale 600.
        let mut mvhd = vec![1u8, 0, 0, 0];
        mvhd.extend_from_slice(&[0u8; 16]);
        mvhd.extend_from_slice(&600u32.to_be_bytes());
        mvhd.extend_from_slice(&(600u64 * 90).to_be_bytes());
        let mut moov = (u32::try_from(mvhd.len() + 8).unwrap()).to_be_bytes().to_vec();
        moov.extend_from_slice(b"mvhd");
        moov.extend_from_slice(&mvhd);
        let mut file = (u32::try_from(moov.len() + 8).unwrap()).to_be_bytes().to_vec();
        file.extend_from_slice(b"moov");
        file.extend_from_slice(&moov);
        assert_eq!(mp4_millis(&file), Some(90_000));
        assert_eq!(mp4_millis(b"not an mp4 at all"), None);
        let mut truncated = samples::mp4(1000);
        truncated.truncate(30);
        assert_eq!(mp4_millis(&truncated), None);
    }

    #[test]
    fn voice_durations() {
        // WAV: 8000 Hz mono 16-bit = 16000 bytes/s; 24000 bytes of data = 1.5 s.
        let mut wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        wav.extend_from_slice(&16u32.to_le_bytes());
        wav.extend_from_slice(&[1, 0, 1, 0]);
        wav.extend_from_slice(&8000u32.to_le_bytes());
        wav.extend_from_slice(&16000u32.to_le_bytes());
        wav.extend_from_slice(&[2, 0, 16, 0]);
        wav.extend_from_slice(b"data");
        wav.extend_from_slice(&24000u32.to_le_bytes());
        wav.extend_from_slice(&vec![0u8; 24000]);
        assert_eq!(voice_millis(&wav), Some(1500));
        // AMR-NB: 50 frames of mode 7 (12.2 kbit/s, 31 bytes + header) = 1 s.
        let mut amr = b"#!AMR\n".to_vec();
        for _ in 0..50 {
            amr.push(7 << 3 | 0x04);
            amr.extend_from_slice(&[0u8; 31]);
        }
        assert_eq!(voice_millis(&amr), Some(1000));
        assert_eq!(voice_millis(b"ID3 mp3 data"), None);
    }
}
