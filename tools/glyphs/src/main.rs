//! kheo-glyphs: render MapLibre/Mapbox SDF glyph range PBFs from a TrueType/OpenType font.
//!
//! Usage: kheo-glyphs <font.ttf> <out dir> [--name "Fontstack Name"]
//!
//! Writes `<out dir>/{start}-{end}.pbf` for every 256-codepoint range in the BMP
//! (0-255 ... 65280-65535) in which the font has at least one glyph, plus the ranges in
//! `ALWAYS_WRITE` (so MapLibre never gets a 404 for a range that a Vietnamese or English
//! label can touch; an empty range is still a valid PBF).
//!
//! Why not `pbf_font_tools::glyph_range_for_font`? In pbf_font_tools 3.1.1 and
//! sdf_glyph_renderer 1.1.0 the FreeType-based functions are behind
//! `#[cfg(feature = "freetype")]`, which the `freetype-system` feature does not enable, so
//! with a system libfreetype they are not compiled at all. `render_glyph` below is a
//! line-for-line port of `sdf_glyph_renderer::render_sdf_from_face` +
//! `pbf_font_tools::render_sdf_glyph`, using the same parameters as pbf_font_tools and
//! martin (size 24 px, buffer 3, radius 8, cutoff 0.25), so the output is byte-for-byte
//! what those tools produce.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use freetype::face::LoadFlag;
use pbf_font_tools::prost::Message;
use pbf_font_tools::{Fontstack, Glyph, Glyphs};
use sdf_glyph_renderer::{BitmapGlyph, clamp_to_u8};

const FONT_SIZE: usize = 24;
const BUFFER: usize = 3;
const RADIUS: usize = 8;
const CUTOFF: f64 = 0.25;
const RANGE: u32 = 256;
const MAX_CODEPOINT: u32 = 0xFFFF;

/// Ranges (by start codepoint) always written even if the font had no glyph there:
/// Basic Latin + Latin-1, Latin Extended-A/B, IPA/spacing modifiers, combining marks +
/// Greek, Latin Extended Additional (Vietnamese), General Punctuation, Currency symbols
/// (₫ U+20AB) and Letterlike symbols.
const ALWAYS_WRITE: [u32; 7] = [0, 256, 512, 768, 7680, 8192, 8448];

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn render_glyph(face: &freetype::Face, ascender: i32, char_code: u32) -> Res<Option<Glyph>> {
    let Some(index) = face.get_char_index(char_code as usize) else {
        return Ok(None);
    };
    face.load_glyph(index, LoadFlag::NO_HINTING | LoadFlag::RENDER)?;
    let slot = face.glyph();
    let bm = slot.bitmap();
    let (width, height) = (bm.width() as usize, bm.rows() as usize);
    // FreeType bitmaps may have row padding (pitch != width); copy rows tightly.
    let pitch = bm.pitch().unsigned_abs() as usize;
    let buf = bm.buffer();
    let mut alpha = Vec::with_capacity(width * height);
    for y in 0..height {
        alpha.extend_from_slice(&buf[y * pitch..y * pitch + width]);
    }
    let bitmap = BitmapGlyph::from_unbuffered(&alpha, width, height, BUFFER)?;
    let sdf = bitmap.render_sdf(RADIUS);
    Ok(Some(Glyph {
        id: char_code,
        bitmap: Some(clamp_to_u8(&sdf, CUTOFF)?),
        width: width as u32,
        height: height as u32,
        left: slot.bitmap_left(),
        top: slot.bitmap_top() - ascender,
        advance: (slot.metrics().horiAdvance >> 6) as u32,
    }))
}

fn run(font: &Path, out_dir: &Path, name: Option<String>) -> Res<()> {
    let lib = freetype::Library::init()?;
    let face = lib.new_face(font, 0)?;
    let name = match name {
        Some(n) => n,
        None => {
            let mut n = face.family_name().ok_or("font has no family name")?;
            if let Some(style) = face.style_name() {
                n.push(' ');
                n.push_str(&style);
            }
            n
        }
    };
    // char height in 26.6 fixed point at the default 72 dpi => FONT_SIZE px.
    face.set_char_size(0, (FONT_SIZE << 6) as isize, 0, 0)?;
    let ascender = (face.size_metrics().ok_or("no size metrics")?.ascender >> 6) as i32;

    std::fs::create_dir_all(out_dir)?;
    let (mut files, mut glyph_total, mut bytes_total) = (0usize, 0usize, 0usize);
    let mut start = 0u32;
    while start <= MAX_CODEPOINT {
        let end = start + RANGE - 1;
        let mut glyphs = Vec::new();
        for cp in start..=end {
            if let Some(g) = render_glyph(&face, ascender, cp)? {
                glyphs.push(g);
            }
        }
        if !glyphs.is_empty() || ALWAYS_WRITE.contains(&start) {
            glyph_total += glyphs.len();
            let msg = Glyphs {
                stacks: vec![Fontstack {
                    name: name.clone(),
                    range: format!("{start}-{end}"),
                    glyphs,
                }],
            };
            let data = msg.encode_to_vec();
            bytes_total += data.len();
            std::fs::write(out_dir.join(format!("{start}-{end}.pbf")), &data)?;
            files += 1;
        }
        start += RANGE;
    }
    eprintln!(
        "{name}: {glyph_total} glyphs in {files} range files, {bytes_total} bytes -> {}",
        out_dir.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let mut pos: Vec<PathBuf> = Vec::new();
    let mut name = None;
    while let Some(a) = args.next() {
        if a == "--name" {
            name = args.next().map(|s| s.to_string_lossy().into_owned());
        } else {
            pos.push(a.into());
        }
    }
    if pos.len() != 2 {
        eprintln!("usage: kheo-glyphs <font.ttf> <out dir> [--name \"Fontstack Name\"]");
        return ExitCode::from(2);
    }
    match run(&pos[0], &pos[1], name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kheo-glyphs: {e}");
            ExitCode::FAILURE
        }
    }
}
