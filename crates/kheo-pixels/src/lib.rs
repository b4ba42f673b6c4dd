//! Scaling photos down with Lanczos 3 (the `fast_image_resize` crate), for kheo.
//!
//! Why a crate of its own: `fast_image_resize`'s entry points are generic, so its pixel
//! loops are compiled in the crate that calls them, at that crate's optimisation level.
//! kheo itself is built unoptimised in development and tests, where scaling a 24-megapixel
//! photo then takes half a minute instead of a few tens of milliseconds. Called from here,
//! the loops are compiled with this crate, which kheo's Cargo.toml builds optimised in
//! every profile.

use fast_image_resize::{ResizeError, ResizeOptions, Resizer};
use image::DynamicImage;

/// `image` scaled to `width` x `height` with Lanczos 3, the alpha channel premultiplied
/// while scaling. The result has the image's colour type.
pub fn scale(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, ResizeError> {
    let mut scaled = DynamicImage::new(width, height, image.color());
    Resizer::new().resize(image, &mut scaled, &ResizeOptions::new())?;
    Ok(scaled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_colour_stays_that_colour_at_any_size() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(300, 200, image::Rgb([200, 100, 50])));
        let scaled = scale(&image, 90, 60).unwrap();
        assert_eq!((scaled.width(), scaled.height()), (90, 60));
        assert!(scaled.to_rgb8().pixels().all(|p| p.0 == [200, 100, 50]));
    }
}
