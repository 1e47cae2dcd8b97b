//! Page images for the review screen: renditions of the *original* scan (cleaning can
//! remove content, so reviewers see what was in the box), resized to a few fixed widths,
//! encoded as JPEG and cached on disk under `<data>/cache/pages/`. Decoding runs on the
//! blocking pool, at most two at a time.

use crate::auth::{Area, CurrentUser};
use crate::render::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use ishenim_store::{PageId, Store};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Widths served (a request is rounded up to the next one).
pub const WIDTHS: [u32; 4] = [240, 900, 1500, 2400];

/// The rendition cache.
pub struct Renditions {
    store: Store,
    dir: PathBuf,
    gate: Arc<Semaphore>,
}

/// Rounds a requested width to a served one.
pub fn snap_width(wanted: Option<u32>) -> u32 {
    let wanted = wanted.unwrap_or(WIDTHS[1]);
    WIDTHS
        .iter()
        .copied()
        .find(|x| *x >= wanted)
        .unwrap_or(WIDTHS[WIDTHS.len() - 1])
}

impl Renditions {
    /// Cache under the store's data folder.
    pub fn new(store: Store) -> Renditions {
        let dir = store.data_dir().join("cache").join("pages");
        Renditions {
            store,
            dir,
            gate: Arc::new(Semaphore::new(2)),
        }
    }

    /// JPEG bytes of `page` at width `w` (one of [`WIDTHS`]), from cache or made now.
    pub async fn get(&self, page: PageId, w: u32) -> Result<Vec<u8>, AppError> {
        let path = self.dir.join(format!("{}-{w}.jpg", page.0));
        if let Ok(cached) = tokio::fs::read(&path).await {
            return Ok(cached);
        }
        let _permit = self.gate.acquire().await.map_err(AppError::internal)?;
        if let Ok(cached) = tokio::fs::read(&path).await {
            return Ok(cached);
        }
        let store = self.store.clone();
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || make(&store, page, w, &dir, &path))
            .await
            .map_err(AppError::internal)?
    }
}

fn make(
    store: &Store,
    page: PageId,
    w: u32,
    dir: &std::path::Path,
    path: &std::path::Path,
) -> Result<Vec<u8>, AppError> {
    let info = store.page_info(page)?;
    let bytes = store.read_file(info.file_id)?;
    let limits = ishenim_intake::Limits::default();
    let doc = ishenim_intake::open(&bytes, &limits).map_err(AppError::internal)?;
    let index = (info.page_no as usize).saturating_sub(1);
    let decoded = doc.page(index).map_err(AppError::internal)?;
    let out = jpeg_rendition(decoded.image, w).map_err(AppError::internal)?;
    if std::fs::create_dir_all(dir).is_ok() {
        // Write-then-rename so a crash never leaves half a JPEG in the cache.
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, &out).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
    Ok(out)
}

/// The page at width `w` (never enlarged) as JPEG. Downscaling averages the source pixels
/// under each output pixel (`thumbnail_exact`): for scanned text as clear as a triangle
/// filter and about five times faster on an A4 page at 300 dpi (the load test found the
/// first view of a letter's image to be the slowest request). A grey page is encoded as a
/// one-channel JPEG, a third of the work of RGB.
pub fn jpeg_rendition(img: image::DynamicImage, w: u32) -> Result<Vec<u8>, image::ImageError> {
    let scale = f64::from(w) / f64::from(img.width().max(1));
    let img = if scale < 1.0 {
        let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
        img.thumbnail_exact(w, h)
    } else {
        img
    };
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    if img.color().has_color() {
        img.to_rgb8().write_with_encoder(enc)?;
    } else {
        img.to_luma8().write_with_encoder(enc)?;
    }
    Ok(out)
}

/// Query of `GET /pages/{id}/image`.
#[derive(Debug, Deserialize)]
pub struct ImageQuery {
    w: Option<u32>,
}

/// `GET /pages/{id}/image?w=900`: the page as JPEG (reviewers and journal readers).
pub async fn page_image(
    State(state): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<ImageQuery>,
) -> Result<Response, AppError> {
    // Reviewers see every page; journal readers only pages of registered letters.
    if !me.may(Area::Queue) {
        let registered = me.may(Area::JournalRead) && state.store.page_is_registered(PageId(id))?;
        if !registered {
            return Err(AppError::Forbidden);
        }
    }
    let bytes = state.images.get(PageId(id), snap_width(q.w)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                // Not even the browser's private cache: the next person on this browser
                // must go through the server (session, role, audit) to see a scan.
                HeaderValue::from_static("no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renditions_keep_text_dark_and_paper_white_at_the_asked_width() {
        // An A4 page at 300 dpi: white paper, one black 120 × 60 px word at (1000, 1500).
        let page = image::GrayImage::from_fn(2480, 3508, |x, y| {
            let ink = (1000..1120).contains(&x) && (1500..1560).contains(&y);
            image::Luma([if ink { 0 } else { 255 }])
        });
        for w in WIDTHS {
            let jpeg = jpeg_rendition(image::DynamicImage::ImageLuma8(page.clone()), w)
                .expect("rendition");
            let img = image::load_from_memory(&jpeg).expect("a JPEG");
            assert_eq!(img.color(), image::ColorType::L8, "grey stays one channel");
            let g = img.to_luma8();
            let s = f64::from(w) / 2480.0;
            assert_eq!(g.width(), w);
            assert_eq!(g.height(), (3508.0 * s).round() as u32);
            let at = |x: f64, y: f64| g.get_pixel((x * s) as u32, (y * s) as u32)[0];
            assert!(at(1060.0, 1530.0) < 80, "ink stays dark at {w}");
            assert!(at(300.0, 300.0) > 235, "paper stays white at {w}");
        }
        // A small colour photo is kept at its size, in colour.
        let photo = image::RgbImage::from_pixel(200, 100, image::Rgb([200, 30, 30]));
        let jpeg = jpeg_rendition(image::DynamicImage::ImageRgb8(photo), 900).expect("jpeg");
        let img = image::load_from_memory(&jpeg).expect("a JPEG");
        assert_eq!((img.width(), img.color()), (200, image::ColorType::Rgb8));
    }

    #[test]
    fn widths_snap_up() {
        assert_eq!(snap_width(None), 900);
        assert_eq!(snap_width(Some(100)), 240);
        assert_eq!(snap_width(Some(901)), 1500);
        assert_eq!(snap_width(Some(99999)), 2400);
    }
}
