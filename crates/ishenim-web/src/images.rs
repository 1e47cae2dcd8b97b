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
pub fn snap_width(w: Option<u32>) -> u32 {
    let w = w.unwrap_or(WIDTHS[1]);
    WIDTHS
        .iter()
        .copied()
        .find(|x| *x >= w)
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
        if let Ok(b) = tokio::fs::read(&path).await {
            return Ok(b);
        }
        let _permit = self.gate.acquire().await.map_err(AppError::internal)?;
        if let Ok(b) = tokio::fs::read(&path).await {
            return Ok(b);
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
    let info = store.page_info(page).map_err(AppError::from_store)?;
    let bytes = store
        .read_file(info.file_id)
        .map_err(AppError::from_store)?;
    let limits = ishenim_intake::Limits::default();
    let doc = ishenim_intake::open(&bytes, &limits).map_err(AppError::internal)?;
    let index = (info.page_no as usize).saturating_sub(1);
    let decoded = doc.page(index).map_err(AppError::internal)?;
    let img = decoded.image;
    let scale = f64::from(w) / f64::from(img.width().max(1));
    let img = if scale < 1.0 {
        let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
        img.resize_exact(w, h, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    img.to_rgb8()
        .write_with_encoder(enc)
        .map_err(AppError::internal)?;
    if std::fs::create_dir_all(dir).is_ok() {
        // Write-then-rename so a crash never leaves half a JPEG in the cache.
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, &out).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
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
    if !(me.may(Area::Queue) || me.may(Area::JournalRead)) {
        return Err(AppError::Forbidden);
    }
    let bytes = state.images.get(PageId(id), snap_width(q.w)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=86400"),
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
    fn widths_snap_up() {
        assert_eq!(snap_width(None), 900);
        assert_eq!(snap_width(Some(100)), 240);
        assert_eq!(snap_width(Some(901)), 1500);
        assert_eq!(snap_width(Some(99999)), 2400);
    }
}
