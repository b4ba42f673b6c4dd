//! The model sites' photos in the report: their stored thumbnails (JPEG, at most 360 px a
//! side) made into the PNG pictures the document model holds, sized to print at most
//! [`BOX_W_MM`] × [`BOX_H_MM`].
//!
//! Why PNG: docx-rs names every picture `media/<id>.png` whatever its bytes, and the model
//! has one picture kind for both writers; a thumbnail's PNG is some 200 kB, and a report
//! holds at most [`MOST`] of them.

use super::model::Image;
use crate::store::report::SitePhoto;

/// Photos of one site in the report.
pub const PER_SITE: i64 = 3;
/// Photos in the report in all.
pub const MOST: i64 = 12;
/// The box a photo is printed in, millimetres (some 130 dpi for a 360 px thumbnail).
pub const BOX_W_MM: f32 = 70.0;
pub const BOX_H_MM: f32 = 60.0;

/// A photo ready for the document: its picture and what it shows.
#[derive(Debug, Clone)]
pub struct Figure {
    pub site_id: i64,
    pub site_name: Option<String>,
    pub field: String,
    pub caption: Option<String>,
    pub taken_on: Option<chrono::NaiveDate>,
    pub image: Image,
}

/// The printed size of a `width` × `height` picture: as large as fits the box.
fn printed_size(width: u32, height: u32) -> (f32, f32) {
    let scale = (BOX_W_MM / width.max(1) as f32).min(BOX_H_MM / height.max(1) as f32);
    (width as f32 * scale, height as f32 * scale)
}

/// A JPEG thumbnail as a PNG picture.
fn png_of(photo: &SitePhoto) -> Result<Image, String> {
    let decoded = image::load_from_memory_with_format(&photo.thumbnail, image::ImageFormat::Jpeg)
        .map_err(|e| format!("the thumbnail of a photo of model site {}: {e}", photo.site_id))?
        .to_rgb8();
    let (width_px, height_px) = decoded.dimensions();
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, width_px, height_px);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| format!("a photo's PNG: {e}"))?;
        writer.write_image_data(decoded.as_raw()).map_err(|e| format!("a photo's PNG: {e}"))?;
    }
    let (width_mm, height_mm) = printed_size(width_px, height_px);
    let description = photo.caption.clone().or_else(|| photo.site_name.clone()).unwrap_or_default();
    Ok(Image { png, width_px, height_px, width_mm, height_mm, description })
}

/// The photos as figures; a thumbnail that does not decode (it never should: kheo made it)
/// is left out rather than failing the report.
pub fn figures(photos: &[SitePhoto]) -> Vec<Figure> {
    photos
        .iter()
        .filter_map(|p| match png_of(p) {
            Ok(image) => Some(Figure {
                site_id: p.site_id,
                site_name: p.site_name.clone(),
                field: p.field.clone(),
                caption: p.caption.clone(),
                taken_on: p.taken_on,
                image,
            }),
            Err(error) => {
                tracing::warn!(%error, "a photo left out of the report");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_fit_their_box_keeping_their_shape() {
        assert_eq!(printed_size(360, 270), (70.0, 52.5));
        assert_eq!(printed_size(270, 360), (45.0, 60.0));
        assert_eq!(printed_size(360, 360), (60.0, 60.0));
    }
}
