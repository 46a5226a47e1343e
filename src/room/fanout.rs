//! Handing one message to every member of a room, on every core at once.
//!
//! Each hand-over is a [`Member::offer`], which on its fast path is a system call that
//! writes to the member's socket (on loopback it also runs the receiver's side of TCP
//! and wakes the receiver): several microseconds each, so a thousand members take
//! milliseconds of one core. A big room therefore splits its list: the hub thread offers
//! to one part, and one helper thread per other core offers to the others. The helpers
//! are scoped threads, started for this message and joined before the hub takes the
//! next, so every member still gets the room's messages in order, and no helper thread
//! outlives its message.

use std::thread::{self, ScopedJoinHandle};

use super::member::{Member, Text};

/// Members below which the hub does the whole fan-out alone. Starting and joining a
/// helper costs about 90 µs on the project's machine, some ten offers; a split saves
/// half the offers, which only pays well above that.
const PARALLEL_MIN: usize = 128;

/// Stack of a helper thread: it only walks its part of the list.
const HELPER_STACK: usize = 64 * 1024;

// ANCHOR: offer_all
/// Offers `texts` to every member, on up to `cores` threads; returns, member by member,
/// whether it stays in the room (see [`Member::offer`]).
pub(crate) fn offer_all(members: &[Member], texts: &[Text], cores: usize) -> Vec<bool> {
    let parts = cores.min(members.len() / PARALLEL_MIN).max(1);
    if parts == 1 {
        return offer_part(members, texts);
    }
    let size = members.len().div_ceil(parts);
    thread::scope(|scope| {
        let mut chunks = members.chunks(size);
        let mine = chunks.next().unwrap_or_default();
        let helpers: Vec<_> = chunks
            .map(|part| {
                let helper = thread::Builder::new()
                    .name("rwh-fan-out".into())
                    .stack_size(HELPER_STACK)
                    .spawn_scoped(scope, move || offer_part(part, texts));
                (part, helper.ok())
            })
            .collect();
        let mut kept = offer_part(mine, texts);
        for (part, helper) in helpers {
            kept.extend(match helper.map(ScopedJoinHandle::join) {
                Some(Ok(part_kept)) => part_kept,
                // A helper cannot panic (offers never do); if one did, keep its members
                // rather than offer them the message twice.
                Some(Err(_)) => vec![true; part.len()],
                // No thread to be had: this part is offered here, after the others.
                None => offer_part(part, texts),
            });
        }
        kept
    })
}
// ANCHOR_END: offer_all

fn offer_part(members: &[Member], texts: &[Text]) -> Vec<bool> {
    members.iter().map(|member| member.offer(texts)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::member::{Next, pair};

    #[test]
    fn every_member_is_offered_once_whatever_the_split() {
        for (members, cores) in [(10, 4), (PARALLEL_MIN * 3, 3), (PARALLEL_MIN * 2 + 1, 8)] {
            // Queues of one: the members whose queue already holds a message are full.
            let (hub_side, outboxes): (Vec<_>, Vec<_>) =
                (0..members).map(|id| pair(id as u64, 1, false)).unzip();
            for member in hub_side.iter().step_by(7) {
                assert!(member.offer(&[Text::from("earlier")]));
            }
            let kept = offer_all(&hub_side, &[Text::from("now")], cores);
            assert_eq!(kept.len(), members);
            for (i, (stays, outbox)) in kept.iter().zip(&outboxes).enumerate() {
                if i % 7 == 0 {
                    assert!(!stays, "member {i} was full: evicted");
                    assert!(matches!(outbox.next(), Next::Evicted(_)));
                } else {
                    assert!(stays, "member {i} stays");
                    assert_eq!(outbox.try_next(), Some(Next::Message(Text::from("now"))));
                    assert_eq!(outbox.try_next(), None, "member {i}: once");
                }
            }
        }
    }
}
