//! Photos of works: what an uploaded file must be, and what kheo keeps of it.
//!
//! [`process`] takes the bytes of an upload and returns the image to store and its
//! thumbnail, or says why it refuses them:
//! 1. the format comes from the bytes' magic numbers, never from a name or a client's
//!    content type: JPEG, PNG and WebP are accepted, anything else is refused, naming it;
//! 2. the dimensions come from the file's header (the `imagesize` crate) BEFORE any
//!    decoder runs, so that a few bytes declaring 50,000 × 50,000 pixels (a decompression
//!    bomb) are refused without allocating; the `image` crate's `Limits` (sides, bytes
//!    allocated) guard the decoder a second time, in case the two readers disagree;
//! 3. the image is decoded, scaled down to at most [`STORED_SIDE`] a side (Lanczos 3, the
//!    `fast_image_resize` crate, through `kheo-pixels`), turned upright from its EXIF orientation and re-encoded:
//!    JPEG as JPEG (quality [`JPEG_QUALITY`]), PNG as PNG, WebP as JPEG (PNG when it has
//!    transparency: the `image` crate writes lossless WebP only, far larger). Re-encoding
//!    drops every piece of metadata; the GPS position is written back only when the editor
//!    keeps it;
//! 4. a JPEG thumbnail of at most [`THUMB_SIDE`] a side is made from the stored image.
//!
//! Decoding is CPU- and memory-heavy: the HTTP layer runs it on the blocking pool, at most
//! a few at a time (`crate::http::photos`).

pub mod exif;

use chrono::NaiveDate;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};
use std::io::Cursor;

/// The most pixels a photo may have: 50 MP takes the "50 MP" mode of common phones
/// (8,160 × 6,120) and refuses more.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side a photo may have, in pixels (a 4:1 panorama of 12,000 × 3,000 fits).
pub const MAX_SIDE: u32 = 12_000;
/// The most bytes a decoded photo may take: [`MAX_PIXELS`] at 4 bytes a pixel (RGBA, 8
/// bits). A 16-bit PNG of that many pixels would need twice as much and is refused.
pub const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;
/// The longest side of a stored photo: sharp on a projector and a phone, some 0.5 to 1.5
/// MB as JPEG.
pub const STORED_SIDE: u32 = 2560;
/// The longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 360;
/// JPEG quality of stored photos.
pub const JPEG_QUALITY: u8 = 85;
/// JPEG quality of thumbnails.
pub const THUMB_QUALITY: u8 = 80;

/// Whether a layer's features have photos: the works (model sites, roads...), whose keys
/// are whole numbers (the `photo` table's `feature_id`).
pub fn takes_photos(layer: &crate::layers::Layer) -> bool {
    layer.role == crate::layers::Role::Work && layer.key_type == crate::layers::KeyType::Integer
}

/// A format kheo accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::WebP => "WebP",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::WebP => ImageFormat::WebP,
        }
    }
}

/// Why an upload is refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PhotoError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not an image kheo knows (its first bytes are not those of a JPEG, PNG or WebP file)")]
    NotAnImage,
    #[error(
        "the file is a {0} image; kheo takes JPEG, PNG and WebP photos (on a phone, choose JPEG or \"Most compatible\")"
    )]
    Unsupported(&'static str),
    #[error("the image is {width} × {height} pixels; a side may have at most {MAX_SIDE} pixels")]
    TooWide { width: u64, height: u64 },
    #[error(
        "the image is {width} × {height} pixels ({megapixels:.1} megapixels); a photo may have at most {} megapixels",
        MAX_PIXELS / 1_000_000
    )]
    TooManyPixels { width: u64, height: u64, megapixels: f64 },
    #[error("the image would take {} MiB once decoded (more than {} MiB): save it with 8 bits per colour", .bytes / (1024 * 1024), MAX_DECODED_BYTES / (1024 * 1024))]
    TooLargeToDecode { bytes: u64 },
    #[error("the {format} file is damaged or cut short: {message}")]
    Damaged { format: &'static str, message: String },
}

impl PhotoError {
    /// A short code for clients (`detail.code`).
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "empty",
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::Unsupported(_) => "unsupported_format",
            PhotoError::TooWide { .. } => "too_wide",
            PhotoError::TooManyPixels { .. } => "too_many_pixels",
            PhotoError::TooLargeToDecode { .. } => "too_large_to_decode",
            PhotoError::Damaged { .. } => "damaged",
        }
    }

    /// Whether the refusal is about the kind of file (415) rather than its content (422).
    pub fn is_unsupported_type(&self) -> bool {
        matches!(self, PhotoError::NotAnImage | PhotoError::Unsupported(_) | PhotoError::Empty)
    }
}

/// The photo kheo stores.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The format of the upload.
    pub source: Format,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    pub image: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// JPEG.
    pub thumbnail: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub taken_on: Option<NaiveDate>,
    /// `(lon, lat)`: the EXIF position, when it was kept.
    pub position: Option<(f64, f64)>,
    /// Whether the upload had a GPS position (kept or removed).
    pub had_position: bool,
}

/// The format of `bytes`, from their magic numbers.
pub fn sniff(bytes: &[u8]) -> Result<Format, PhotoError> {
    use imagesize::ImageType;
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    match imagesize::image_type(bytes) {
        Ok(ImageType::Jpeg) => Ok(Format::Jpeg),
        Ok(ImageType::Png) => Ok(Format::Png),
        Ok(ImageType::Webp) => Ok(Format::WebP),
        Ok(ImageType::Heif(_)) => Err(PhotoError::Unsupported("HEIC/HEIF")),
        Ok(ImageType::Gif) => Err(PhotoError::Unsupported("GIF")),
        Ok(ImageType::Bmp) => Err(PhotoError::Unsupported("BMP")),
        Ok(ImageType::Tiff) => Err(PhotoError::Unsupported("TIFF")),
        Ok(_) => Err(PhotoError::NotAnImage),
        Err(_) => Err(PhotoError::NotAnImage),
    }
}

/// The format and the dimensions `bytes` declare in their header, checked against the
/// limits; nothing is decoded.
pub fn check_header(bytes: &[u8]) -> Result<(Format, u32, u32), PhotoError> {
    let format = sniff(bytes)?;
    let size = imagesize::blob_size(bytes).map_err(|e| PhotoError::Damaged {
        format: format.name(),
        message: format!("its header cannot be read ({e})"),
    })?;
    let (width, height) = (size.width as u64, size.height as u64);
    if width == 0 || height == 0 {
        return Err(PhotoError::Damaged { format: format.name(), message: "its header declares no pixels".into() });
    }
    if width > u64::from(MAX_SIDE) || height > u64::from(MAX_SIDE) {
        return Err(PhotoError::TooWide { width, height });
    }
    if width * height > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels { width, height, megapixels: (width * height) as f64 / 1e6 });
    }
    Ok((format, width as u32, height as u32))
}

/// Checks, decodes and re-encodes an upload (see the module's documentation). `today`
/// bounds the EXIF date.
pub fn process(bytes: &[u8], keep_gps: bool, today: NaiveDate) -> Result<Processed, PhotoError> {
    let (format, _, _) = check_header(bytes)?;
    if format == Format::Jpeg && !jpeg_is_whole(bytes) {
        return Err(PhotoError::Damaged {
            format: format.name(),
            message: "it ends before its end-of-image marker (the file was cut short)".into(),
        });
    }
    let damaged = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => PhotoError::TooLargeToDecode { bytes: MAX_DECODED_BYTES + 1 },
        other => PhotoError::Damaged { format: format.name(), message: other.to_string() },
    };

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        // The header reader and the decoder disagree: trust the larger.
        let (width, height) = (u64::from(width), u64::from(height));
        return Err(PhotoError::TooManyPixels { width, height, megapixels: (width * height) as f64 / 1e6 });
    }
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooLargeToDecode { bytes: decoder.total_bytes() });
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let facts = match decoder.exif_metadata() {
        Ok(Some(raw)) => exif::read(raw, today),
        _ => exif::ExifFacts::default(),
    };
    let mut image = {
        let decoded = eight_bits(DynamicImage::from_decoder(decoder).map_err(damaged)?);
        // The full-size image is dropped here, before anything is encoded.
        fit(&decoded, STORED_SIDE).unwrap_or(decoded)
    };
    image.apply_orientation(orientation);
    let position = if keep_gps { facts.position } else { None };
    let exif = match position {
        Some((lon, lat)) => Some(exif::gps_block(lon, lat).map_err(|e| PhotoError::Damaged {
            format: format.name(),
            message: format!("its GPS position cannot be kept ({e})"),
        })?),
        None => None,
    };
    let as_png = match format {
        Format::Jpeg => false,
        Format::Png => true,
        Format::WebP => is_transparent(&image),
    };
    let (stored, content_type) = if as_png {
        (encode_png(&image, exif), "image/png")
    } else {
        (encode_jpeg(&image, JPEG_QUALITY, exif), "image/jpeg")
    };
    let thumb = on_white(fit(&image, THUMB_SIDE).unwrap_or_else(|| image.clone()));
    let thumbnail = encode_jpeg(&thumb, THUMB_QUALITY, None);
    Ok(Processed {
        source: format,
        content_type,
        image: stored,
        width: image.width(),
        height: image.height(),
        thumbnail,
        thumb_width: thumb.width(),
        thumb_height: thumb.height(),
        taken_on: facts.taken_on,
        position,
        had_position: facts.position.is_some(),
    })
}

/// Whether a JPEG's image runs to its end-of-image marker.
///
/// The JPEG decoder under `image` (zune-jpeg, lenient) decodes a file cut short without a
/// word, the missing part grey, and no crate says whether a JPEG is whole: so the marker
/// structure is walked here, the segments by their lengths up to each scan, a scan's
/// entropy-coded data up to the next marker (an `FF` there is followed by `00` or a
/// restart marker), until the EOI marker. Whatever follows the EOI (phone makers'
/// trailers, the second image of a multi-picture file) is not looked at.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    loop {
        if bytes.get(at) != Some(&0xFF) {
            return false;
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1; // fill bytes before a marker
        }
        let Some(&marker) = bytes.get(at) else { return false };
        at += 1;
        match marker {
            0xD9 => return true,
            // Restart markers and TEM stand alone.
            0xD0..=0xD7 | 0x01 => continue,
            _ => {}
        }
        let Some(length) = bytes.get(at..at + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))) else {
            return false;
        };
        if length < 2 || at + length > bytes.len() {
            return false;
        }
        at += length;
        if marker == 0xDA {
            // The scan's data, up to the next real marker.
            loop {
                let Some(offset) = bytes[at..].iter().position(|b| *b == 0xFF) else { return false };
                at += offset;
                match bytes.get(at + 1) {
                    None => return false,
                    Some(0x00 | 0xD0..=0xD7) => at += 2,
                    Some(_) => break,
                }
            }
        }
    }
}

/// The image with 8 bits per channel (16-bit PNGs and float images are rare as photos).
fn eight_bits(image: DynamicImage) -> DynamicImage {
    use DynamicImage::*;
    match image {
        ImageLuma8(_) | ImageLumaA8(_) | ImageRgb8(_) | ImageRgba8(_) => image,
        ImageLuma16(_) => ImageLuma8(image.to_luma8()),
        ImageLumaA16(_) => ImageLumaA8(image.to_luma_alpha8()),
        other if other.color().has_alpha() => ImageRgba8(other.to_rgba8()),
        other => ImageRgb8(other.to_rgb8()),
    }
}

/// `(width, height)` scaled so that the longer side is `side`, neither below 1.
pub fn scaled_size(width: u32, height: u32, side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= side {
        return (width, height);
    }
    let scale = |n: u32| ((u64::from(n) * u64::from(side) + u64::from(longest) / 2) / u64::from(longest)).max(1) as u32;
    (scale(width), scale(height))
}

/// The image scaled down to at most `side` pixels a side, with Lanczos 3 and the alpha
/// premultiplied; `None` when it fits already (it is never scaled up).
fn fit(image: &DynamicImage, side: u32) -> Option<DynamicImage> {
    let (width, height) = scaled_size(image.width(), image.height(), side);
    if (width, height) == (image.width(), image.height()) {
        return None;
    }
    // An 8-bit image into one of the same type: fast_image_resize takes every such type.
    #[allow(clippy::expect_used)]
    let scaled = kheo_pixels::scale(image, width, height).expect("scaling an 8-bit image");
    Some(scaled)
}

/// Whether any pixel is not fully opaque.
fn is_transparent(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(rgba) => rgba.pixels().any(|p| p.0[3] < 255),
        DynamicImage::ImageLumaA8(la) => la.pixels().any(|p| p.0[1] < 255),
        _ => false,
    }
}

/// The image over a white background, for JPEG (which has no transparency).
fn on_white(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return image;
    }
    let mut rgba = image.to_rgba8();
    for pixel in rgba.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8;
        pixel.0 = [over(r), over(g), over(b), 255];
    }
    DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).to_rgb8())
}

fn encode_jpeg(image: &DynamicImage, quality: u8, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    if let Some(exif) = exif {
        // The JPEG encoder takes EXIF: this cannot fail.
        let _ = encoder.set_exif_metadata(exif);
    }
    // Writing an 8-bit image to memory does not fail (JPEG takes every 8-bit colour type
    // once the encoder has dropped the alpha channel).
    #[allow(clippy::expect_used)]
    image.write_with_encoder(encoder).expect("encoding an 8-bit image as JPEG in memory");
    out
}

fn encode_png(image: &DynamicImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive);
    if let Some(exif) = exif {
        let _ = encoder.set_exif_metadata(exif);
    }
    // As for JPEG: an 8-bit image written to memory.
    #[allow(clippy::expect_used)]
    image.write_with_encoder(encoder).expect("encoding an 8-bit image as PNG in memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_side_is_scaled_to_the_limit_and_the_other_in_proportion() {
        assert_eq!(scaled_size(8000, 6000, 2560), (2560, 1920));
        assert_eq!(scaled_size(6000, 8000, 2560), (1920, 2560));
        assert_eq!(scaled_size(1000, 800, 2560), (1000, 800), "never scaled up");
        assert_eq!(scaled_size(12000, 1, 360), (360, 1), "never below one pixel");
    }

    #[test]
    fn a_jpeg_is_whole_only_up_to_its_end_marker() {
        let image =
            DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 9])));
        let jpeg = encode_jpeg(&image, 90, None);
        assert!(jpeg_is_whole(&jpeg));
        let mut with_trailer = jpeg.clone();
        with_trailer.extend_from_slice(b"\xFF\xDA\x00\x08SEFT trailer of a phone maker");
        assert!(jpeg_is_whole(&with_trailer), "what follows the EOI is not read");
        for cut in [jpeg.len() - 2, jpeg.len() / 2, 200, 3] {
            assert!(!jpeg_is_whole(&jpeg[..cut]), "cut at {cut} of {}", jpeg.len());
        }
    }

    #[test]
    fn formats_come_from_the_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01"), Ok(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"), Ok(Format::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(Format::WebP));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0\x80\0"), Err(PhotoError::Unsupported("GIF")));
        assert_eq!(sniff(b"\xFF\xD8\xFF"), Err(PhotoError::NotAnImage), "too short to be anything");
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Err(PhotoError::Unsupported("HEIC/HEIF")));
        assert_eq!(sniff(b"%PDF-1.7"), Err(PhotoError::NotAnImage));
        assert_eq!(sniff(b""), Err(PhotoError::Empty));
    }
}
