//! Prints the grain of each page: `cargo run --release -p ishenim-imaging --example grain -- PAGE...`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let img = image::open(&path)?;
        let g = ishenim_imaging::gray::to_gray(&img);
        println!("{path} {:.1}", ishenim_imaging::denoise::grain(&g));
    }
    Ok(())
}
