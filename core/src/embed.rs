//! Video embeds: the one kind of frame authored Markdown may carry is a
//! YouTube or Vimeo player, at an address we rebuild ourselves.

/// The canonical address of an allowed video embed, or `None`: YouTube
/// (always rewritten to youtube-nocookie.com) and Vimeo players with a
/// well-formed id. Anything else (another host, another scheme, a
/// protocol-relative or differently spelled address) is refused.
pub fn embed_src(src: &str) -> Option<String> {
    const YOUTUBE: [&str; 2] = [
        "https://www.youtube.com/embed/",
        "https://www.youtube-nocookie.com/embed/",
    ];
    const VIMEO: &str = "https://player.vimeo.com/video/";
    let (youtube, rest) = if let Some(rest) = YOUTUBE.iter().find_map(|p| src.strip_prefix(p)) {
        (true, rest)
    } else {
        (false, src.strip_prefix(VIMEO)?)
    };
    let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
    let id_ok = if youtube {
        id.len() == 11
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    } else {
        (1..=12).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
    };
    if !id_ok {
        return None;
    }
    // Keep only the parameters we know to be harmless: a start time, and
    // the hash of an unlisted Vimeo video.
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=')?;
        let ok = match (youtube, k) {
            (true, "start") => (1..=6).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()),
            (false, "h") => (1..=20).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()),
            _ => false,
        };
        if ok {
            kept.push(format!("{k}={v}"));
        }
    }
    let base = if youtube {
        format!("https://www.youtube-nocookie.com/embed/{id}")
    } else {
        format!("{VIMEO}{id}")
    };
    Some(if kept.is_empty() {
        base
    } else {
        format!("{base}?{}", kept.join("&"))
    })
}

/// The embed address of a video lesson's `video_url` when it is a YouTube
/// or Vimeo page (`watch?v=`, `youtu.be/`, `vimeo.com/123`).
pub fn embed_for_video_url(video_url: &str) -> Option<String> {
    let u = url::Url::parse(video_url).ok()?;
    if u.scheme() != "https" {
        return None;
    }
    let host = u.host_str()?;
    let mut segments = u.path_segments()?.filter(|s| !s.is_empty());
    let candidate = match host {
        "www.youtube.com" | "youtube.com" | "m.youtube.com" => match segments.next()? {
            "watch" => {
                let id = u.query_pairs().find(|(k, _)| k == "v")?.1.into_owned();
                format!("https://www.youtube.com/embed/{id}")
            }
            "embed" | "shorts" | "live" => {
                format!("https://www.youtube.com/embed/{}", segments.next()?)
            }
            _ => return None,
        },
        "youtu.be" => format!("https://www.youtube.com/embed/{}", segments.next()?),
        "www.youtube-nocookie.com" if segments.next()? == "embed" => {
            format!("https://www.youtube.com/embed/{}", segments.next()?)
        }
        "vimeo.com" | "www.vimeo.com" => {
            format!("https://player.vimeo.com/video/{}", segments.next()?)
        }
        "player.vimeo.com" if segments.next()? == "video" => {
            format!("https://player.vimeo.com/video/{}", segments.next()?)
        }
        _ => return None,
    };
    embed_src(&candidate)
}

/// The `frame-src` sources allowed on pages that show authored Markdown.
pub const EMBED_FRAME_SRC: &str = "https://www.youtube-nocookie.com https://player.vimeo.com";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_youtube_and_vimeo_players_embed() {
        assert_eq!(
            embed_src("https://www.youtube.com/embed/dQw4w9WgXcQ").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        );
        assert_eq!(
            embed_src("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30&autoplay=1")
                .as_deref(),
            Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30")
        );
        assert_eq!(
            embed_src("https://player.vimeo.com/video/76979871?h=8272103f6e").as_deref(),
            Some("https://player.vimeo.com/video/76979871?h=8272103f6e")
        );
        for bad in [
            "http://www.youtube.com/embed/dQw4w9WgXcQ",
            "//www.youtube.com/embed/dQw4w9WgXcQ",
            "HTTPS://WWW.YOUTUBE.COM/embed/dQw4w9WgXcQ",
            " https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXcQ/../../x",
            "https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ",
            "https://www.youtube.com@evil.example/embed/dQw4w9WgXcQ",
            "https://evil.example/https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXc%22",
            "https://www.youtube.com/embed/dQw4w9WgXcQ#x",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://player.vimeo.com/video/abc",
            "https://vimeo.com/76979871",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
        ] {
            assert_eq!(embed_src(bad), None, "{bad}");
        }
    }

    #[test]
    fn video_pages_become_players() {
        for (page, embed) in [
            (
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://youtu.be/dQw4w9WgXcQ",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://vimeo.com/76979871",
                "https://player.vimeo.com/video/76979871",
            ),
        ] {
            assert_eq!(embed_for_video_url(page).as_deref(), Some(embed), "{page}");
        }
        for other in [
            "https://example.org/talk.mp4",
            "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=short",
            "https://vimeo.com/channels/staffpicks",
        ] {
            assert_eq!(embed_for_video_url(other), None, "{other}");
        }
    }
}
