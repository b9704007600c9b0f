//! Published images at the size the page shows them: the lesson's `<img>`
//! offers smaller copies (`srcset`), each made once on first request and
//! kept in the real S3 server, in WebP when the browser accepts it and that
//! is smaller, never at a width the page does not offer.

use agora_tests::{S3Server, ServerOptions, TestServer};
use image::{DynamicImage, ImageFormat, RgbImage, codecs::png::PngEncoder};
use reqwest::Method;

use super::media::{SLUG, create_course, page, publish, put_file, put_media};

/// A 1,200 × 600 diagram-like PNG: flat bands, as maps and charts are.
fn wide_png() -> Vec<u8> {
    let img = RgbImage::from_fn(1200, 600, |x, y| {
        let band = ((x / 150) + (y / 100)) % 4;
        image::Rgb(
            [
                [20, 84, 91],
                [240, 200, 80],
                [250, 250, 250],
                [90, 120, 200],
            ][band as usize],
        )
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_with_encoder(PngEncoder::new(&mut out))
        .unwrap();
    out
}

async fn get(server: &TestServer, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url(path))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

const CHROME_ACCEPT: &str = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

#[tokio::test]
async fn lesson_images_come_at_the_size_the_page_needs_and_in_webp_when_smaller() {
    let s3 = S3Server::start();
    let server = TestServer::start_with(ServerOptions {
        env: s3.env(),
        ..Default::default()
    })
    .await;
    let author = server.author("author@city.gov").await;
    create_course(&server, &author).await;
    let original = wide_png();
    let (status, saved) = put_media(&server, &author, "river.png", &original).await;
    assert_eq!(status, 200, "{saved}");
    let (status, body) = put_file(
        &server,
        &author,
        "en/welcome.md",
        b"---\ntitle: Welcome\n---\nThe river in spring.\n\n![The river at dawn](media:river.png)\n"
            .to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, v) = publish(&server, &author).await;
    assert_eq!(status, 201, "{v}");
    let objects = s3.objects("media");
    assert_eq!(objects.len(), 1, "{objects:?}");
    let sha = objects[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .strip_suffix(".png")
        .unwrap()
        .to_owned();

    // The lesson offers 480, 960 and the original 1,200 pixels.
    let learner = server.learner("learner@city.gov").await;
    let (status, _) = server
        .call(
            &learner,
            Method::POST,
            &format!("/api/v1/courses/{SLUG}/enrolment"),
            None,
        )
        .await;
    assert!(status == 200 || status == 201, "{status}");
    let html = page(
        &server,
        Some(&learner),
        &format!("/courses/{SLUG}/lessons/welcome"),
    )
    .await
    .text()
    .await
    .unwrap();
    let srcset = format!(
        "srcset=\"/media/{sha}-w480.png 480w, /media/{sha}-w960.png 960w, /media/{sha}-w1200.png 1200w\" sizes=\"(max-width: 46rem) 100vw, 46rem\""
    );
    assert!(html.contains(&srcset), "{html}");
    assert!(
        html.contains(&format!("src=\"/media/{sha}.png\"")),
        "{html}"
    );

    // A browser that accepts WebP gets a smaller WebP copy at 480 pixels.
    let small = format!("/media/{sha}-w480.png");
    let r = get(&server, &small, CHROME_ACCEPT).await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/webp");
    assert_eq!(h["vary"], "Accept");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    let etag = h["etag"].to_str().unwrap().to_owned();
    let webp = r.bytes().await.unwrap();
    let decoded = image::load_from_memory_with_format(&webp, ImageFormat::WebP).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (480, 240));

    // One that does not gets a PNG at the same width, smaller than the original.
    let r = get(&server, &small, "image/png,image/*;q=0.8").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let png = r.bytes().await.unwrap();
    let decoded = image::load_from_memory_with_format(&png, ImageFormat::Png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (480, 240));
    assert!(
        png.len() < original.len() / 2,
        "{} ≥ {}",
        png.len(),
        original.len()
    );
    assert!(webp.len() < png.len(), "{} ≥ {}", webp.len(), png.len());
    eprintln!(
        "river.png: original {} B, 480 px PNG {} B, 480 px WebP {} B",
        original.len(),
        png.len(),
        webp.len()
    );

    // Each copy is made once and kept in S3 beside the original.
    let variants = s3.objects("media/variants");
    assert_eq!(variants.len(), 2, "{variants:?}");
    let r = get(&server, &small, CHROME_ACCEPT).await;
    assert_eq!(r.bytes().await.unwrap(), webp);
    assert_eq!(s3.objects("media/variants").len(), 2);
    let r = reqwest::Client::new()
        .get(server.url(&small))
        .header("accept", CHROME_ACCEPT)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);

    // At its own width the PNG is the original, byte for byte.
    let r = get(&server, &format!("/media/{sha}-w1200.png"), "image/png").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), original.as_slice());

    // Widths the page does not offer, other formats and unknown images: 404
    // in the one error shape, and nothing is made.
    for path in [
        format!("/media/{sha}-w481.png"),
        format!("/media/{sha}-w2400.png"),
        format!("/media/{sha}-w480.jpg"),
        format!("/media/{}-w480.png", "c".repeat(64)),
        format!("/media/{sha}-w0480.png"),
    ] {
        let r = get(&server, &path, "application/json").await;
        assert_eq!(r.status(), 404, "{path}");
    }
    assert_eq!(s3.objects("media/variants").len(), 2, "nothing was added");
}
