//! Scaling photos down with Lanczos 3 (the `fast_image_resize` crate), for kheo.
//!
//! Why a crate of its own: `fast_image_resize`'s entry points are generic, so its pixel
//! loops are compiled in the crate that calls them, at that crate's optimisation level.
//! kheo itself is built unoptimised in development and tests, where scaling a 24-megapixel
//! photo then takes half a minute instead of a few tens of milliseconds. Called from here,
//! the loops are compiled with this crate, which kheo's Cargo.toml builds optimised in
//! every profile. It is tested through kheo's photo tests (tests/api/photos.rs), which
//! check the colours of scaled images.

use fast_image_resize::{ResizeError, ResizeOptions, Resizer};
use image::DynamicImage;

/// `image` scaled to `width` x `height` with Lanczos 3, the alpha channel premultiplied
/// while scaling. The result has the image's colour type.
pub fn scale(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, ResizeError> {
    let mut scaled = DynamicImage::new(width, height, image.color());
    Resizer::new().resize(image, &mut scaled, &ResizeOptions::new())?;
    Ok(scaled)
}
