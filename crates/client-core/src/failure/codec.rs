//! Runs the payload codecs over every payload inside a failure chain.

use std::sync::Arc;

use temporal_proto::temporal::api::common::v1::Payload;
use temporal_proto::temporal::api::failure::v1::Failure;
use temporal_proto::temporal::api::failure::v1::failure::FailureInfo;

use crate::payload::{CodecDirection, PayloadCodec, PayloadError};

/// One place in a failure that holds payloads.
enum Slot<'a> {
    Many(&'a mut Vec<Payload>),
    One(&'a mut Option<Payload>),
}

/// Visits every payload place of the chain, outermost failure first, always in the same
/// order for the same structure.
fn for_each_slot(failure: &mut Failure, mut visit: impl FnMut(Slot<'_>)) {
    let mut current = Some(failure);
    while let Some(node) = current {
        visit(Slot::One(&mut node.encoded_attributes));
        let list = match &mut node.failure_info {
            Some(FailureInfo::ApplicationFailureInfo(i)) => i.details.as_mut(),
            Some(FailureInfo::CanceledFailureInfo(i)) => i.details.as_mut(),
            Some(FailureInfo::TimeoutFailureInfo(i)) => i.last_heartbeat_details.as_mut(),
            Some(FailureInfo::ResetWorkflowFailureInfo(i)) => i.last_heartbeat_details.as_mut(),
            _ => None,
        };
        if let Some(payloads) = list {
            visit(Slot::Many(&mut payloads.payloads));
        }
        current = node.cause.as_deref_mut();
    }
}

/// Takes every payload out of the chain, runs the codecs once over all of them and puts
/// the results back in place.
pub(crate) async fn apply_codecs(
    failure: &mut Failure,
    codecs: &[Arc<dyn PayloadCodec>],
    direction: CodecDirection,
) -> Result<(), PayloadError> {
    let mut all = Vec::new();
    let mut counts = Vec::new();
    for_each_slot(failure, |slot| match slot {
        Slot::One(payload) => {
            let taken = payload.take();
            counts.push(usize::from(taken.is_some()));
            all.extend(taken);
        }
        Slot::Many(payloads) => {
            counts.push(payloads.len());
            all.append(payloads);
        }
    });
    if all.is_empty() {
        return Ok(());
    }
    // The chain checks that each codec returns as many payloads as it was given.
    let coded = crate::payload::codec_chain(codecs, direction, all).await?;
    let mut coded = coded.into_iter();
    let mut counts = counts.into_iter();
    for_each_slot(failure, |slot| {
        let n = counts.next().unwrap_or(0);
        match slot {
            Slot::One(payload) => {
                if n == 1 {
                    *payload = coded.next();
                }
            }
            Slot::Many(payloads) => payloads.extend(coded.by_ref().take(n)),
        }
    });
    Ok(())
}
