//! Media durations read from file headers, for `sampleVideo` (seconds) and `sampleAudio` (milliseconds).
//!
//! Only what is cheap: MP4 (`moov/mvhd` timescale and duration), WAV (data size / byte rate), AMR-NB (20 ms per
//! frame, frame sizes from the mode bits), MP3 (the frame count of a Xing/Info or VBRI header, else the size at
//! the first frame's bit rate, exact for constant bit rates) and Ogg Opus/Vorbis (the last page's granule
//! position). Anything else, or a malformed header, gives `None`.

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

/// The duration of a voice file in milliseconds: WAV, AMR-NB, MP3 or Ogg (Opus, Vorbis).
pub(crate) fn voice_millis(data: &[u8]) -> Option<u64> {
    if data.starts_with(b"RIFF") && data.get(8..12) == Some(b"WAVE") {
        return wav_millis(data);
    }
    if data.starts_with(b"#!AMR\n") {
        return amr_millis(&data[6..]);
    }
    if data.starts_with(b"OggS") {
        return ogg_millis(data);
    }
    mp3_millis(data)
}

/// MPEG Layer III bit rates (kbit/s) by index: MPEG-1, and MPEG-2/2.5.
const MP3_KBPS_1: [u64; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_KBPS_2: [u64; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

fn mp3_millis(data: &[u8]) -> Option<u64> {
    // Skip an ID3v2 tag: "ID3", version (2), flags (1), size (4 syncsafe bytes), a footer when flagged.
    let mut start = 0usize;
    if data.starts_with(b"ID3") {
        let size = data
            .get(6..10)?
            .iter()
            .fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7f));
        let footer = if data.get(5)? & 0x10 != 0 { 10 } else { 0 };
        start = 10 + size + footer;
    }
    let header = data.get(start..start + 4)?;
    if header[0] != 0xff || header[1] & 0xe0 != 0xe0 {
        return None;
    }
    let version = (header[1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    let layer = (header[1] >> 1) & 3; // 1: Layer III
    if version == 1 || layer != 1 {
        return None;
    }
    let mpeg1 = version == 3;
    let kbps = *if mpeg1 { &MP3_KBPS_1 } else { &MP3_KBPS_2 }.get(usize::from(header[2] >> 4))?;
    let rate_index = usize::from((header[2] >> 2) & 3);
    let sample_rate: u64 = match version {
        3 => [44_100, 48_000, 32_000],
        2 => [22_050, 24_000, 16_000],
        _ => [11_025, 12_000, 8_000],
    }
    .get(rate_index)
    .copied()?;
    let samples_per_frame: u64 = if mpeg1 { 1152 } else { 576 };
    let mono = header[3] >> 6 == 3;
    // A Xing/Info header sits after the side information; a VBRI header 32 bytes after the frame header.
    let side = match (mpeg1, mono) {
        (true, false) => 32,
        (true, true) | (false, false) => 17,
        (false, true) => 9,
    };
    let xing = start + 4 + side;
    let frames = match data.get(xing..xing + 4) {
        Some(b"Xing" | b"Info") if be_u32(data, xing + 4)? & 1 != 0 => Some(be_u32(data, xing + 8)?),
        _ if data.get(start + 36..start + 40) == Some(b"VBRI") => Some(be_u32(data, start + 50)?),
        _ => None,
    };
    if let Some(frames) = frames {
        return Some(u64::from(frames) * samples_per_frame * 1000 / sample_rate);
    }
    if kbps == 0 {
        return None;
    }
    // Constant bit rate: the audio bytes (without a trailing ID3v1 tag) at the first frame's rate.
    let end = if data.len() >= 128 && data[data.len() - 128..].starts_with(b"TAG") {
        data.len() - 128
    } else {
        data.len()
    };
    let bytes = u64::try_from(end.checked_sub(start)?).ok()?;
    Some(bytes * 8 / kbps)
}

fn ogg_millis(data: &[u8]) -> Option<u64> {
    // The first page's first packet names the codec: OpusHead (48 kHz granules, minus the pre-skip) or Vorbis.
    let segments = usize::from(*data.get(26)?);
    let packet = data.get(27 + segments..)?;
    let (rate, pre_skip) = if packet.starts_with(b"OpusHead") {
        (
            48_000u64,
            u64::from(u16::from_le_bytes(packet.get(10..12)?.try_into().ok()?)),
        )
    } else if packet.starts_with(b"\x01vorbis") {
        (u64::from(le_u32(packet, 12)?), 0)
    } else {
        return None;
    };
    let last = data.windows(4).rposition(|w| w == b"OggS")?;
    let granule = u64::from_le_bytes(data.get(last + 6..last + 14)?.try_into().ok()?);
    if rate == 0 || granule == u64::MAX {
        return None;
    }
    Some(granule.saturating_sub(pre_skip) * 1000 / rate)
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
        assert_eq!(voice_millis(b"plain text"), None);
    }

    /// An MPEG-1 Layer III frame header: 128 kbit/s, 44.1 kHz, stereo.
    const MP3_HEADER: [u8; 4] = [0xff, 0xfb, 0x90, 0x00];

    #[test]
    fn mp3_durations() {
        // Constant bit rate behind an ID3v2 tag: 48000 bytes at 128 kbit/s = 3 s; a trailing ID3v1 tag is ignored.
        let mut cbr = b"ID3\x04\x00\x00\x00\x00\x00\x0a".to_vec();
        cbr.extend_from_slice(&[0u8; 10]);
        cbr.extend_from_slice(&MP3_HEADER);
        cbr.resize(cbr.len() + 48_000 - 4, 0);
        cbr.extend_from_slice(b"TAG");
        cbr.resize(cbr.len() + 125, 0);
        assert_eq!(voice_millis(&cbr), Some(3000));
        // Variable bit rate with a Xing header: 383 frames × 1152 samples / 44100 Hz = 10.004 s.
        let mut vbr = MP3_HEADER.to_vec();
        vbr.resize(4 + 32, 0);
        vbr.extend_from_slice(b"Xing");
        vbr.extend_from_slice(&1u32.to_be_bytes());
        vbr.extend_from_slice(&383u32.to_be_bytes());
        vbr.resize(2000, 0);
        assert_eq!(voice_millis(&vbr), Some(10_004));
        // A Layer I header is not read.
        assert_eq!(voice_millis(&[0xff, 0xff, 0x90, 0x00, 0, 0]), None);
    }

    #[test]
    fn ogg_durations() {
        let page = |granule: u64, packet: &[u8]| {
            let mut page = b"OggS\0\0".to_vec();
            page.extend_from_slice(&granule.to_le_bytes());
            page.extend_from_slice(&[0u8; 12]);
            page.push(1);
            page.push(u8::try_from(packet.len()).unwrap());
            page.extend_from_slice(packet);
            page
        };
        // Opus: 48 kHz granules minus a 312-sample pre-skip; 96312 granules = 2 s.
        let mut head = b"OpusHead\x01\x01".to_vec();
        head.extend_from_slice(&312u16.to_le_bytes());
        head.extend_from_slice(&[0u8; 7]);
        let mut opus = page(0, &head);
        opus.extend(page(96_312, b"audio"));
        assert_eq!(voice_millis(&opus), Some(2000));
        // Vorbis at 16 kHz: 40000 samples = 2.5 s.
        let mut ident = b"\x01vorbis\0\0\0\0\x01".to_vec();
        ident.extend_from_slice(&16_000u32.to_le_bytes());
        ident.extend_from_slice(&[0u8; 13]);
        let mut vorbis = page(0, &ident);
        vorbis.extend(page(40_000, b"audio"));
        assert_eq!(voice_millis(&vorbis), Some(2500));
    }
}
