//! The worker side's data converter at the boundary of fake workflows.
//!
//! A real worker decodes what it hands to workflow code (start input, signal, query and
//! update arguments, activity results) with its payload codecs, and encodes what
//! workflow code produces (results, failures, query answers, update outcomes, memo,
//! continue-as-new and activity inputs) before it reaches the server. The fake does the
//! same with the [`DataConverter`] given to
//! [`FakeServerBuilder::data_converter`](super::FakeServerBuilder::data_converter), so the
//! server state (histories, describe, memo) holds the codec's output as on a real
//! server, and fake workflows see plain values.
//!
//! The fake's engine runs under its state lock, where it cannot wait, so a codec runs
//! in place: its future must finish when first polled (compression and local
//! encryption do; a codec that waits for a remote service does not, and its payloads
//! then fail with [`PayloadError::Codec`]). Queries, which run outside the lock, await
//! the codec normally.
// `Failure` is large by nature; boxing would only add allocations on error paths.
#![allow(clippy::result_large_err)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use temporal_client_core::payload::{CodecDirection, DataConverter, PayloadError};
use temporal_proto::temporal::api::common::v1::{Memo, Payloads};
use temporal_proto::temporal::api::failure::v1::Failure;

use super::workflows::{Command, WorkflowFailure, WorkflowResult};

/// The converter applied where payloads cross between the fake server and its fake
/// workflows. Without codecs and an attribute-encoding failure converter every method
/// returns its input unchanged.
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkerCodec {
    converter: DataConverter,
}

/// Runs a codec future that must not wait (see the module docs).
fn in_place<T>(
    direction: CodecDirection,
    future: impl Future<Output = Result<T, PayloadError>>,
) -> Result<T, PayloadError> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(result) => result,
        Poll::Pending => Err(PayloadError::Codec {
            direction,
            source: "the codec did not finish at once; the fake server runs codecs in \
                     place and cannot wait for one (see FakeServerBuilder::data_converter)"
                .into(),
        }),
    }
}

impl WorkerCodec {
    pub(crate) fn new(converter: DataConverter) -> Self {
        Self { converter }
    }

    /// Whether anything would change a payload or failure.
    fn is_identity(&self) -> bool {
        !self.converter.has_codecs()
            && !self
                .converter
                .failure_converter()
                .encodes_common_attributes()
    }

    /// Runs the codecs over payloads: [`CodecDirection::Decode`] on their way to
    /// workflow code, [`CodecDirection::Encode`] for what workflow code produced.
    ///
    /// # Errors
    /// The codec's error.
    pub(crate) fn transcode(
        &self,
        direction: CodecDirection,
        payloads: Option<Payloads>,
    ) -> Result<Option<Payloads>, PayloadError> {
        let Some(p) = payloads else {
            return Ok(None);
        };
        if !self.converter.has_codecs() {
            return Ok(Some(p));
        }
        let payloads = match direction {
            CodecDirection::Decode => {
                in_place(direction, self.converter.decode_payloads(p.payloads))
            }
            CodecDirection::Encode => {
                in_place(direction, self.converter.encode_payloads(p.payloads))
            }
        }?;
        Ok(Some(Payloads { payloads }))
    }

    /// Decodes arguments for workflow code; when the codec fails they stay as they
    /// are, so reading them fails in the workflow (which fails its task, as a worker's
    /// decoding error does). Without codecs they are returned as they are, uncopied.
    pub(crate) fn decode_or_keep(&self, payloads: Option<Payloads>) -> Option<Payloads> {
        if !self.converter.has_codecs() {
            return payloads;
        }
        self.transcode(CodecDirection::Decode, payloads.clone())
            .unwrap_or(payloads)
    }

    /// [`transcode`](Self::transcode) to workflow code, awaiting the codec (outside the
    /// state lock); when the codec fails the payloads stay as they are.
    pub(crate) async fn decode_async(&self, payloads: Option<Payloads>) -> Option<Payloads> {
        let p = payloads.clone()?;
        match self.converter.decode_payloads(p.payloads).await {
            Ok(payloads) => Some(Payloads { payloads }),
            Err(_) => payloads,
        }
    }

    /// [`transcode`](Self::transcode) from workflow code, awaiting the codec.
    ///
    /// # Errors
    /// The codec's error.
    pub(crate) async fn encode_async(&self, p: Payloads) -> Result<Payloads, PayloadError> {
        let payloads = self.converter.encode_payloads(p.payloads).await?;
        Ok(Payloads { payloads })
    }

    /// Encodes a memo's values (the SDKs run memo values through the codecs).
    ///
    /// # Errors
    /// The codec's error.
    pub(crate) fn encode_memo(&self, memo: Memo) -> Result<Memo, PayloadError> {
        if !self.converter.has_codecs() {
            return Ok(memo);
        }
        let (keys, values): (Vec<String>, Vec<_>) = memo.fields.into_iter().unzip();
        let values = in_place(
            CodecDirection::Encode,
            self.converter.encode_payloads(values),
        )?;
        Ok(Memo {
            fields: keys.into_iter().zip(values).collect(),
        })
    }

    /// Prepares a failure workflow code produced: the failure converter, then the codecs
    /// over every payload of its cause chain.
    ///
    /// # Errors
    /// The codec's error.
    pub(crate) fn encode_failure(&self, mut failure: Failure) -> Result<Failure, PayloadError> {
        if self.is_identity() {
            return Ok(failure);
        }
        in_place(
            CodecDirection::Encode,
            self.converter.encode_failure(&mut failure),
        )?;
        Ok(failure)
    }

    /// [`encode_failure`](Self::encode_failure), awaiting the codec.
    ///
    /// # Errors
    /// The codec's error.
    pub(crate) async fn encode_failure_async(
        &self,
        mut failure: Failure,
    ) -> Result<Failure, PayloadError> {
        self.converter.encode_failure(&mut failure).await?;
        Ok(failure)
    }

    /// Decodes a failure on its way to workflow code (an activity's failure).
    pub(crate) fn decode_failure_or_keep(&self, failure: Failure) -> Failure {
        if !self.converter.has_codecs() {
            return failure;
        }
        let mut decoded = failure.clone();
        match in_place(
            CodecDirection::Decode,
            self.converter.decode_failure(&mut decoded),
        ) {
            Ok(()) => decoded,
            Err(_) => failure,
        }
    }

    /// Encodes an update outcome or query answer.
    pub(crate) fn encode_outcome(
        &self,
        outcome: Result<Payloads, WorkflowFailure>,
    ) -> Result<Payloads, WorkflowFailure> {
        match outcome {
            Ok(p) => match self.transcode(CodecDirection::Encode, Some(p)) {
                Ok(p) => Ok(p.unwrap_or_default()),
                Err(e) => Err(WorkflowFailure::from(e)),
            },
            Err(f) => Err(self.encode_workflow_failure(f)),
        }
    }

    /// Encodes a failure workflow code produced; a codec error becomes the failure.
    pub(crate) fn encode_workflow_failure(&self, failure: WorkflowFailure) -> WorkflowFailure {
        let fails_task = failure.fails_task();
        match self.encode_failure(failure.into_proto()) {
            Ok(f) => {
                let f = WorkflowFailure::from_proto(f);
                if fails_task { f.into_task_failure() } else { f }
            }
            Err(e) => WorkflowFailure::from(e),
        }
    }

    /// Encodes the payloads of a workflow task's commands (memo, activity inputs).
    ///
    /// # Errors
    /// The codec's error.
    pub(crate) fn encode_commands(
        &self,
        commands: Vec<Command>,
    ) -> Result<Vec<Command>, PayloadError> {
        if !self.converter.has_codecs() {
            return Ok(commands);
        }
        commands
            .into_iter()
            .map(|command| {
                Ok(match command {
                    Command::UpsertMemo(memo) => Command::UpsertMemo(self.encode_memo(memo)?),
                    Command::ScheduleActivity(mut scheduled) => {
                        let input = scheduled.options.input.take();
                        scheduled.options.input = self.transcode(CodecDirection::Encode, input)?;
                        Command::ScheduleActivity(scheduled)
                    }
                    other => other,
                })
            })
            .collect()
    }

    /// Encodes how a run ended. A codec error fails the workflow task instead, as a
    /// worker whose codec fails does.
    pub(crate) fn encode_result(&self, result: WorkflowResult) -> WorkflowResult {
        if self.is_identity() {
            return result;
        }
        let encoded = match result {
            WorkflowResult::Completed(p) => self
                .transcode(CodecDirection::Encode, p)
                .map(WorkflowResult::Completed),
            WorkflowResult::Canceled(p) => self
                .transcode(CodecDirection::Encode, p)
                .map(WorkflowResult::Canceled),
            WorkflowResult::Failed(f) => {
                Ok(WorkflowResult::Failed(self.encode_workflow_failure(f)))
            }
            WorkflowResult::ContinueAsNew(mut can) => (|| {
                can.input = self.transcode(CodecDirection::Encode, can.input.take())?;
                can.memo = can.memo.take().map(|m| self.encode_memo(m)).transpose()?;
                Ok(WorkflowResult::ContinueAsNew(can))
            })(),
        };
        encoded.unwrap_or_else(|e| WorkflowResult::Failed(WorkflowFailure::from(e)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::sync::Arc;

    use temporal_client_core::payload::{CodecError, PayloadCodec};
    use temporal_proto::temporal::api::common::v1::Payload;

    use super::*;

    /// Reverses the data bytes.
    #[derive(Debug)]
    struct Reverse;

    #[async_trait::async_trait]
    impl PayloadCodec for Reverse {
        async fn encode(&self, mut ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
            ps.iter_mut().for_each(|p| p.data.reverse());
            Ok(ps)
        }
        async fn decode(&self, ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
            self.encode(ps).await
        }
    }

    /// Waits once before answering, as a codec calling a remote service would.
    #[derive(Debug)]
    struct Remote;

    #[async_trait::async_trait]
    impl PayloadCodec for Remote {
        async fn encode(&self, ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
            let mut waited = false;
            std::future::poll_fn(|cx| {
                if waited {
                    Poll::Ready(())
                } else {
                    waited = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
            Ok(ps)
        }
        async fn decode(&self, ps: Vec<Payload>) -> Result<Vec<Payload>, CodecError> {
            self.encode(ps).await
        }
    }

    fn payloads(data: &[u8]) -> Option<Payloads> {
        Some(Payloads {
            payloads: vec![Payload {
                data: data.to_vec(),
                ..Payload::default()
            }],
        })
    }

    #[test]
    fn codecs_run_both_ways_and_nothing_changes_without_one() {
        let codec = WorkerCodec::new(DataConverter::default().with_codec(Arc::new(Reverse)));
        assert_eq!(
            codec
                .transcode(CodecDirection::Encode, payloads(b"ab"))
                .unwrap(),
            payloads(b"ba")
        );
        assert_eq!(
            codec
                .transcode(CodecDirection::Decode, payloads(b"ba"))
                .unwrap(),
            payloads(b"ab")
        );
        let plain = WorkerCodec::default();
        assert_eq!(
            plain
                .transcode(CodecDirection::Encode, payloads(b"ab"))
                .unwrap(),
            payloads(b"ab")
        );
        let result = codec.encode_result(WorkflowResult::Completed(payloads(b"xy")));
        assert_eq!(result, WorkflowResult::Completed(payloads(b"yx")));
    }

    #[test]
    fn a_codec_that_waits_fails_by_name_and_fails_the_task() {
        let codec = WorkerCodec::new(DataConverter::default().with_codec(Arc::new(Remote)));
        let err = codec
            .transcode(CodecDirection::Encode, payloads(b"ab"))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("the fake server runs codecs in place"),
            "{err}"
        );
        let WorkflowResult::Failed(failure) =
            codec.encode_result(WorkflowResult::Completed(payloads(b"ab")))
        else {
            panic!("a codec error must fail the result")
        };
        assert!(failure.fails_task());
        // Arguments it cannot decode reach the workflow as they are.
        assert_eq!(codec.decode_or_keep(payloads(b"ab")), payloads(b"ab"));
    }
}
