//! Connected components of a binary image (8-connectivity), by run-length union-find.

/// A binary image: `true` is ink.
#[derive(Debug, Clone)]
pub struct Bitmap {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major ink flags, `width * height` long.
    pub ink: Vec<bool>,
}

impl Bitmap {
    /// An empty (all paper) bitmap.
    pub fn new(width: u32, height: u32) -> Self {
        Bitmap {
            width,
            height,
            ink: vec![false; width as usize * height as usize],
        }
    }

    /// Ink at (x, y).
    pub fn get(&self, x: u32, y: u32) -> bool {
        self.ink[y as usize * self.width as usize + x as usize]
    }

    /// Sets ink at (x, y).
    pub fn set(&mut self, x: u32, y: u32, v: bool) {
        let w = self.width as usize;
        self.ink[y as usize * w + x as usize] = v;
    }

    /// Number of ink pixels.
    pub fn count(&self) -> usize {
        self.ink.iter().filter(|&&b| b).count()
    }
}

/// One connected blob of ink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Left edge (inclusive).
    pub x0: u32,
    /// Top edge (inclusive).
    pub y0: u32,
    /// Right edge (exclusive).
    pub x1: u32,
    /// Bottom edge (exclusive).
    pub y1: u32,
    /// Ink pixels.
    pub area: u32,
}

impl Component {
    /// Width of the bounding box.
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }
    /// Height of the bounding box.
    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }
    /// Share of the bounding box covered by ink.
    pub fn fill(&self) -> f32 {
        self.area as f32 / (self.width() * self.height()).max(1) as f32
    }
    /// True when the box touches the image edge.
    pub fn touches_edge(&self, w: u32, h: u32) -> bool {
        self.x0 == 0 || self.y0 == 0 || self.x1 >= w || self.y1 >= h
    }
}

struct Run {
    y: u32,
    x0: u32,
    x1: u32,
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[parent[i as usize] as usize];
        parent[i as usize] = p;
        i = p;
    }
    i
}

/// A character mark for [`line_groups`]: its left and right edges and its vertical centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineMark {
    /// Left edge.
    pub x0: f32,
    /// Right edge.
    pub x1: f32,
    /// Vertical centre.
    pub yc: f32,
}

/// Groups character marks, sorted by vertical centre, into text lines: two marks join when
/// their centres are at most `reach` apart vertically and the horizontal gap between them
/// is at most `max_gap`, and a line is every mark reached by such steps. Returns each
/// mark's line as the smallest index in it (so lines come out top first). The flattening
/// of curled pages and the unread check of the scanner both group a page's marks so, each
/// with its own reach and gap; one union-find serves them and [`label`].
pub fn line_groups(marks: &[LineMark], reach: f32, max_gap: f32) -> Vec<usize> {
    let n = marks.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for i in 0..n {
        for j in i + 1..n {
            if marks[j].yc - marks[i].yc > reach {
                break;
            }
            let gap = (marks[j].x0 - marks[i].x1).max(marks[i].x0 - marks[j].x1);
            if gap <= max_gap {
                let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j as u32));
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    (0..n as u32)
        .map(|i| find(&mut parent, i) as usize)
        .collect()
}

/// Labels the components of `bm`. Returns the components and, for each ink run, its
/// component index, via [`Labels`], so callers can erase chosen components.
pub fn label(bm: &Bitmap) -> Labels {
    let (w, h) = (bm.width, bm.height);
    let mut runs: Vec<Run> = Vec::new();
    let mut row_start: Vec<usize> = Vec::with_capacity(h as usize + 1);
    for y in 0..h {
        row_start.push(runs.len());
        let row = &bm.ink[(y * w) as usize..((y + 1) * w) as usize];
        let mut x = 0;
        while x < w {
            if row[x as usize] {
                let s = x;
                while x < w && row[x as usize] {
                    x += 1;
                }
                runs.push(Run { y, x0: s, x1: x });
            } else {
                x += 1;
            }
        }
    }
    row_start.push(runs.len());
    let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
    for y in 1..h as usize {
        let (prev, cur) = (
            row_start[y - 1]..row_start[y],
            row_start[y]..row_start[y + 1],
        );
        let mut j = prev.start;
        for i in cur {
            // 8-connectivity: runs overlap when [x0-1, x1+1) intersects.
            while j < prev.end && runs[j].x1 < runs[i].x0 {
                j += 1;
            }
            let mut k = j;
            while k < prev.end && runs[k].x0 <= runs[i].x1 {
                let (a, b) = (find(&mut parent, i as u32), find(&mut parent, k as u32));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
                k += 1;
            }
        }
    }
    let mut index = vec![u32::MAX; runs.len()];
    let mut comps: Vec<Component> = Vec::new();
    let mut run_comp = vec![0u32; runs.len()];
    for i in 0..runs.len() {
        let r = find(&mut parent, i as u32) as usize;
        if index[r] == u32::MAX {
            index[r] = comps.len() as u32;
            comps.push(Component {
                x0: u32::MAX,
                y0: u32::MAX,
                x1: 0,
                y1: 0,
                area: 0,
            });
        }
        let c = &mut comps[index[r] as usize];
        let run = &runs[i];
        c.x0 = c.x0.min(run.x0);
        c.x1 = c.x1.max(run.x1);
        c.y0 = c.y0.min(run.y);
        c.y1 = c.y1.max(run.y + 1);
        c.area += run.x1 - run.x0;
        run_comp[i] = index[r];
    }
    Labels {
        components: comps,
        runs: runs.into_iter().map(|r| (r.y, r.x0, r.x1)).collect(),
        run_comp,
    }
}

/// Result of [`label`].
#[derive(Debug, Clone)]
pub struct Labels {
    /// All components, in order of first appearance (top to bottom).
    pub components: Vec<Component>,
    /// Ink runs as `(y, x0, x1)`.
    pub runs: Vec<(u32, u32, u32)>,
    /// Component index of each run.
    pub run_comp: Vec<u32>,
}

impl Labels {
    /// Calls `f(y, x0, x1)` for every run of the components for which `pick` is true.
    pub fn for_runs_of(&self, pick: &[bool], mut f: impl FnMut(u32, u32, u32)) {
        for (i, &(y, x0, x1)) in self.runs.iter().enumerate() {
            if pick[self.run_comp[i] as usize] {
                f(y, x0, x1);
            }
        }
    }
}

/// The ink components of a prepared page at about 12 pixels a character: the analysis the
/// flattening of curled pages and the unread check both start from, made once a page.
#[derive(Debug, Clone)]
pub struct InkMarks {
    /// Reduction factor: component coordinates are in pixels of the page divided by `f`.
    pub f: u32,
    /// Width of the reduced page.
    pub width: u32,
    /// The components of the page binarised at its Otsu threshold (clamped to 60–200).
    pub components: Vec<Component>,
}

/// Labels `img`, whose characters are about `ch` pixels tall, at about 12 pixels a
/// character (mean-shrunk by up to 4), binarised at Otsu's threshold clamped to 60–200.
pub fn ink_marks(img: &image::GrayImage, ch: f32) -> InkMarks {
    use crate::binarize::{otsu, shrink_mean, threshold};
    let f = ((ch / 12.0).floor() as u32).clamp(1, 4);
    let small = if f > 1 {
        shrink_mean(img, f)
    } else {
        img.clone()
    };
    let t = otsu(&small).clamp(60, 200);
    let labels = label(&threshold(&small, t));
    InkMarks {
        f,
        width: small.width(),
        components: labels.components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(rows: &[&str]) -> Bitmap {
        let mut b = Bitmap::new(rows[0].len() as u32, rows.len() as u32);
        for (y, r) in rows.iter().enumerate() {
            for (x, c) in r.chars().enumerate() {
                b.set(x as u32, y as u32, c == '#');
            }
        }
        b
    }

    #[test]
    fn line_groups_chain_near_marks_and_split_far_ones() {
        let mark = |x0: f32, x1: f32, yc: f32| LineMark { x0, x1, yc };
        let marks = [
            mark(0.0, 10.0, 10.0),
            // Joined to the first by a gap of 5 and a centre 2 lower.
            mark(15.0, 25.0, 12.0),
            // Chained through the second (gap 8), though 28 from the first.
            mark(33.0, 40.0, 13.0),
            // Same height, but 30 to the right of everything: a line of its own.
            mark(70.0, 80.0, 13.5),
            // Under the first, beyond the reach.
            mark(0.0, 10.0, 30.0),
        ];
        assert_eq!(line_groups(&marks, 6.0, 10.0), [0, 0, 0, 3, 4]);
        assert_eq!(line_groups(&marks, 6.0, 40.0), [0, 0, 0, 0, 4]);
        assert_eq!(line_groups(&marks, 25.0, 10.0), [0, 0, 0, 3, 0]);
        assert!(line_groups(&[], 1.0, 1.0).is_empty());
    }

    #[test]
    fn counts_blobs_with_diagonal_links() {
        let l = label(&bm(&["#..#", ".#..", "....", "##.#"]));
        assert_eq!(l.components.len(), 4);
        let first = l.components[0];
        assert_eq!(
            (first.x0, first.y0, first.x1, first.y1, first.area),
            (0, 0, 2, 2, 2)
        );
    }

    #[test]
    fn u_shape_is_one_component() {
        let l = label(&bm(&["#.#", "#.#", "###"]));
        assert_eq!(l.components.len(), 1);
        assert_eq!(l.components[0].area, 7);
    }
}
