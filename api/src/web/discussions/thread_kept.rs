//! A thread's page from what is kept (`http::thread_pages`): rendered once
//! per thread stamp, language, time zone and reader class, then spliced per
//! request with the reader's token, follow button and posts as they see
//! them. Moderators, suspended readers and refused forms get the page
//! rendered whole (`thread`).

use agora_core::discussions::{Access, PostView, ThreadReading};
use poem::{Response, http::StatusCode};
use serde::Serialize;

use super::thread_items::{PostItem, RefusedModeration, ThreadPage, item};
use crate::{
    http::{
        frame::push_escaped,
        parts::{Part, cut},
        thread_pages::{AUTHOR, KeptPostParts, KeptThreadPage, OTHER, OTHER_HELPFUL},
    },
    web::{
        Ctx, NO_TOKEN,
        cohorts::{ReaderZone, reader_zone},
    },
};

fn marker(n: usize) -> String {
    format!("\u{1}p{n}\u{1}")
}

/// A post that is only its marker.
fn slot(n: usize) -> PostItem {
    PostItem::slot(marker(n))
}

/// The reader's page, or `None` when it must be rendered whole.
pub(super) async fn page(ctx: &Ctx, r: &ThreadReading) -> Option<Response> {
    let zone = reader_zone(ctx).await;
    let class = u8::from(r.access.post) | (u8::from(r.can_mark_answer) << 1);
    let key = (r.kept.id(), r.kept.stamp, ctx.locale, zone.name(), class);
    let kept = ctx
        .state
        .pages
        .threads
        .get_or_render(key, async { render(ctx, r, &zone) })
        .await?;
    if kept.all_replies_held {
        return None;
    }
    let mut token = String::with_capacity(ctx.csrf.len());
    push_escaped(&mut token, &ctx.csrf);
    let variant = |id, author: Option<uuid::Uuid>| {
        if author == Some(r.user_id) {
            AUTHOR
        } else if r.helpful.contains(&id) {
            OTHER_HELPFUL
        } else {
            OTHER
        }
    };
    let parts = kept.splice(r.following, &token, &variant);
    Some(ctx.layout(
        StatusCode::OK,
        &kept.title,
        "discussion_thread",
        &parts,
        None,
    ))
}

#[derive(Serialize)]
struct Alone<'a> {
    action: &'a str,
    report_reasons: &'a [super::moderation::Choice],
    post: PostItem,
}

/// Renders the page for every reader of `r`'s class.
fn render(ctx: &Ctx, r: &ThreadReading, zone: &ReaderZone) -> Option<KeptThreadPage> {
    let access = Access {
        read: true,
        post: r.access.post,
        moderate: false,
    };
    let mut t = r.kept.shared_view(ctx.locale, access);
    t.can_mark_answer = r.can_mark_answer;
    let space = t.space.slug.clone();
    let action = super::thread_href(&space, t.id);
    let reasons = super::moderation::report_reasons(ctx);
    let no_refusal = RefusedModeration::default();
    // Every post, replies after the post they answer, numbered in page
    // order: post `n` is slot `1 + n`.
    let mut flat: Vec<(PostView, bool, Vec<usize>)> = Vec::new();
    for mut p in std::mem::take(&mut t.posts) {
        let replies = std::mem::take(&mut p.replies);
        let at = flat.len();
        flat.push((p, true, Vec::new()));
        for reply in replies {
            let n = flat.len();
            flat[at].2.push(n);
            flat.push((reply, false, Vec::new()));
        }
    }
    let mut markers = vec![NO_TOKEN.to_owned()];
    markers.extend((0..flat.len()).map(marker));
    let top: Vec<usize> = (0..flat.len()).filter(|&n| flat[n].1).collect();
    let opening = top.first().copied().filter(|&n| flat[n].0.opening);
    let replies: Vec<usize> = top
        .iter()
        .copied()
        .filter(|&n| Some(n) != opening)
        .collect();
    let held = |p: &PostView| p.awaiting_approval || p.rejected;
    let all_replies_held = !replies.is_empty() && replies.iter().all(|&n| held(&flat[n].0));
    let mut posts = Vec::with_capacity(flat.len());
    for (p, is_top, reply_slots) in &flat {
        let mut variants: [Vec<Part>; 3] = Default::default();
        for (v, (mine, helpful)) in [
            (OTHER, (false, false)),
            (OTHER_HELPFUL, (false, true)),
            (AUTHOR, (true, false)),
        ] {
            if held(p) && !mine {
                continue;
            }
            let mut p = p.clone();
            p.mine = mine;
            p.helpful_by_me = helpful;
            let mut post = item(ctx, zone, &t, p, *is_top, None, &no_refusal);
            post.replies = reply_slots.iter().map(|&n| slot(n)).collect();
            let html = ctx.body_with_token(
                "discussion_post_alone",
                &Alone {
                    action: &action,
                    report_reasons: &reasons,
                    post,
                },
                NO_TOKEN,
            )?;
            variants[v] = cut(&html, &markers);
        }
        posts.push(KeptPostParts {
            id: p.id,
            author: p.author_id,
            variants,
        });
    }
    let mut bodies: [Vec<Part>; 2] = Default::default();
    for following in [false, true] {
        t.following = following;
        let data = ThreadPage {
            opening: opening.map(slot),
            replies: replies.iter().map(|&n| slot(n)).collect(),
            ..ThreadPage::of(&t, &space, reasons.clone())
        };
        let html = ctx.body_with_token("discussion_thread", &data, NO_TOKEN)?;
        bodies[usize::from(following)] = cut(&html, &markers);
    }
    Some(KeptThreadPage {
        title: t.title.clone(),
        bodies,
        posts,
        all_replies_held,
    })
}
