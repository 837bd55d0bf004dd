//! A unary gRPC call sent straight over the connection's [`H2Channel`], without tonic's
//! `Grpc` client, when nothing sits between the two (no user layer, no gzip).
//!
//! tonic's client treats every call as a stream: a request body that encodes on poll,
//! a merged metadata map, a streaming decoder with its own buffer, and a `Status` built
//! from the trailers of every successful call. For one message each way, the request is
//! framed here once into a single buffer and sent with `END_STREAM`, and the response's
//! data is gathered and decoded once. Profiles of the shared bench put about a tenth of
//! the client's CPU per call in that machinery (issue 12).
//!
//! The outcome is the one tonic gives, status for status, so the error mapping after
//! it ([`classify`](super::failure::classify)) is the same on both paths. It follows
//! tonic 0.14 and the gRPC-over-HTTP/2 protocol (`PROTOCOL-HTTP2.md`):
//! - a `grpc-encoding` other than `identity` is `UNIMPLEMENTED` (no compression was
//!   offered);
//! - a `grpc-status` in the response headers (a trailers-only response) ends the call:
//!   an error status is returned, an `OK` one has no message (`INTERNAL`);
//! - the message frame's compressed flag must be 0, and its length at most the decode
//!   limit (`OUT_OF_RANGE`, checked as soon as the frame's prefix arrives);
//! - the trailers' `grpc-status` decides the call; without one the HTTP status is
//!   mapped (`http-grpc-status-mapping.md`), and an HTTP 200 without a final status is
//!   `UNKNOWN`.

use std::future::poll_fn;

use bytes::{Buf as _, BufMut as _, Bytes, BytesMut};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderValue, StatusCode};
use prost::Message;
use tonic::{Code, Status};

use super::h2_channel::{H2Channel, h2_status};

/// The length of a gRPC message frame's prefix: a compressed flag and a big-endian
/// `u32` length.
pub(crate) const FRAME_PREFIX: usize = 5;
const GRPC_STATUS: &str = "grpc-status";
const GRPC_ENCODING: &str = "grpc-encoding";

/// Where direct calls go: the connection's origin, and the decode limit.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    scheme: Scheme,
    authority: Authority,
    /// The largest response message accepted, in bytes
    /// (`ConnectionOptions::max_decoding_message_size`).
    max_decoding_message_size: usize,
}

impl Route {
    /// The route of `origin`, or `None` when calls to it need tonic's handling (an
    /// origin with a path prefix, or without a scheme or an authority).
    pub(crate) fn new(origin: &http::Uri, max_decoding_message_size: usize) -> Option<Self> {
        let path_is_root = origin.path_and_query().is_none_or(|p| p.as_str() == "/");
        Some(Self {
            scheme: origin.scheme()?.clone(),
            authority: origin.authority()?.clone(),
            max_decoding_message_size,
        })
        .filter(|_| path_is_root)
    }

    /// Sends `body` (one message [`frame`]) to `path` (`/package.Service/Method`) with
    /// `headers` on `channel`, and returns the response message, still encoded.
    ///
    /// Not generic over the message types, so it is compiled once for every RPC.
    ///
    /// # Errors
    /// The status tonic would give for the same exchange (see the module docs); a
    /// transport failure is the channel's status, with the `h2` or I/O error as source.
    pub(crate) async fn call(
        &self,
        channel: &H2Channel,
        path: &'static str,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Bytes, Status> {
        let uri = http::Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(PathAndQuery::from_static(path))
            .build()
            .map_err(|e| Status::internal(format!("the request URI is not valid: {e}")))?;
        headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/grpc"),
        );
        let mut head = http::Request::new(());
        *head.method_mut() = http::Method::POST;
        *head.uri_mut() = uri;
        *head.version_mut() = http::Version::HTTP_2;
        *head.headers_mut() = headers;

        let (response, _in_flight) = channel.send_whole(head, body).await?;
        let (parts, mut recv) = response.into_parts();
        check_head(&parts.headers)?;
        let mut data = BytesMut::new();
        while let Some(chunk) = poll_fn(|cx| recv.poll_data(cx)).await {
            let chunk = chunk.map_err(h2_status)?;
            let _ = recv.flow_control().release_capacity(chunk.len());
            data.extend_from_slice(&chunk);
            // tonic fails a message over the limit as soon as its prefix is read.
            if data.len() >= FRAME_PREFIX {
                frame_length(
                    &data[..FRAME_PREFIX],
                    parts.status,
                    self.max_decoding_message_size,
                )?;
            }
        }
        let trailers = poll_fn(|cx| recv.poll_trailers(cx))
            .await
            .map_err(h2_status)?;
        decode_body(
            parts.status,
            data.freeze(),
            trailers.as_ref(),
            self.max_decoding_message_size,
        )
    }
}

/// `message`, whose encoded length is `len` (the caller has it from its size check),
/// as one uncompressed gRPC message frame: what [`Route::call`] sends, and without its
/// first [`FRAME_PREFIX`] bytes what tonic's client is given.
pub(crate) fn frame<M: Message>(message: &M, len: usize) -> Result<Bytes, Status> {
    let prefix_len = u32::try_from(len).map_err(|_| {
        Status::internal(format!(
            "the request could not be encoded: {len} bytes do not fit a gRPC frame"
        ))
    })?;
    let mut buf = BytesMut::with_capacity(FRAME_PREFIX + len);
    buf.put_u8(0);
    buf.put_u32(prefix_len);
    // `encode` would measure the message again; the buffer already has room for it.
    message.encode_raw(&mut buf);
    Ok(buf.freeze())
}

/// The checks on the response head: its encoding, and a trailers-only status.
fn check_head(headers: &HeaderMap) -> Result<(), Status> {
    if let Some(encoding) = headers.get(GRPC_ENCODING)
        && encoding != "identity"
    {
        let name = String::from_utf8_lossy(encoding.as_bytes());
        let mut status = Status::unimplemented(format!(
            "Content is compressed with `{name}` which isn't supported"
        ));
        status.metadata_mut().insert(
            "grpc-accept-encoding",
            tonic::metadata::MetadataValue::from_static("identity"),
        );
        return Err(status);
    }
    if headers.contains_key(GRPC_STATUS) {
        return match final_status(headers) {
            Some(Err(status)) => Err(status),
            _ => Err(Status::internal("Missing response message.")),
        };
    }
    Ok(())
}

/// The length of the frame whose prefix is `prefix`, after the flag and limit checks.
fn frame_length(prefix: &[u8], http_status: StatusCode, limit: usize) -> Result<usize, Status> {
    let mut prefix = prefix;
    match prefix.get_u8() {
        0 => {}
        1 => {
            return Err(Status::internal(
                "protocol error: received message with compressed-flag but no grpc-encoding \
                 was specified",
            ));
        }
        flag => {
            return Err(Status::internal(format!(
                "protocol error: received message with invalid compression flag: {flag} \
                 (valid flags are 0 and 1) while receiving response with status: {http_status}"
            )));
        }
    }
    let len = prefix.get_u32() as usize;
    if len > limit {
        return Err(Status::out_of_range(format!(
            "Error, decoded message length too large: found {len} bytes, the limit is: \
             {limit} bytes"
        )));
    }
    Ok(len)
}

/// The outcome of a whole response body: the message (still encoded), then the final
/// status decides.
fn decode_body(
    http_status: StatusCode,
    mut data: Bytes,
    trailers: Option<&HeaderMap>,
    limit: usize,
) -> Result<Bytes, Status> {
    let mut message = None;
    if data.len() >= FRAME_PREFIX {
        let len = frame_length(&data[..FRAME_PREFIX], http_status, limit)?;
        if data.len() - FRAME_PREFIX >= len {
            data.advance(FRAME_PREFIX);
            message = Some(data.split_to(len));
        }
    }
    match trailers {
        Some(trailers) => {
            if let Some(Err(status)) = final_status(trailers) {
                return Err(status);
            }
            if trailers.contains_key(GRPC_STATUS) {
                return message.ok_or_else(|| Status::internal("Missing response message."));
            }
        }
        // The stream ended without trailers: a partial frame is an early end.
        None if !data.is_empty() => {
            return Err(Status::internal("Unexpected EOF decoding stream."));
        }
        None => {}
    }
    Err(missing_status(http_status))
}

/// The `grpc-status` of `headers`: `Ok(())` for `OK` (read without allocating), the
/// status for any other code, `None` when absent.
fn final_status(headers: &HeaderMap) -> Option<Result<(), Status>> {
    let value = headers.get(GRPC_STATUS)?;
    if value == "0" {
        return Some(Ok(()));
    }
    let status = Status::from_header_map(headers)?;
    Some(if status.code() == Code::Ok {
        Ok(())
    } else {
        Err(status)
    })
}

/// The status of a response that ended without `grpc-status`, from its HTTP status
/// (`http-grpc-status-mapping.md`; tonic and grpc-go give an HTTP 200 `UNKNOWN`).
fn missing_status(http_status: StatusCode) -> Status {
    let code = match http_status {
        StatusCode::BAD_REQUEST => Code::Internal,
        StatusCode::UNAUTHORIZED => Code::Unauthenticated,
        StatusCode::FORBIDDEN => Code::PermissionDenied,
        StatusCode::NOT_FOUND => Code::Unimplemented,
        StatusCode::TOO_MANY_REQUESTS
        | StatusCode::BAD_GATEWAY
        | StatusCode::SERVICE_UNAVAILABLE
        | StatusCode::GATEWAY_TIMEOUT => Code::Unavailable,
        StatusCode::OK => {
            return Status::unknown(
                "protocol error: missing grpc-status trailer, stream was terminated without \
                 a final status (possible truncation by a proxy or load balancer)",
            );
        }
        _ => Code::Unknown,
    };
    Status::new(
        code,
        format!(
            "grpc-status header missing, mapped from HTTP status code {}",
            http_status.as_u16()
        ),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use temporal_client_core::proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse;

    use super::*;

    type Response = StartWorkflowExecutionResponse;

    const LIMIT: usize = 1024;

    fn response() -> Response {
        Response {
            run_id: "run-1".into(),
            started: true,
            ..Default::default()
        }
    }

    fn trailers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn ok() -> HeaderMap {
        trailers(&[("grpc-status", "0")])
    }

    fn decode(data: Bytes, trailers: Option<&HeaderMap>) -> Result<Response, Status> {
        let message = decode_body(StatusCode::OK, data, trailers, LIMIT)?;
        Ok(Response::decode(message).unwrap())
    }

    #[test]
    fn a_frame_is_the_prefix_and_the_message() {
        let body = frame(&response(), response().encoded_len()).unwrap();
        let len = response().encoded_len();
        assert_eq!(body[0], 0);
        assert_eq!(
            u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize,
            len
        );
        assert_eq!(body.len(), FRAME_PREFIX + len);
        assert_eq!(decode(body, Some(&ok())).unwrap(), response());
    }

    #[test]
    fn an_error_in_the_trailers_wins_over_the_message() {
        let body = frame(&response(), response().encoded_len()).unwrap();
        let trailers = trailers(&[("grpc-status", "5"), ("grpc-message", "workflow%20gone")]);
        let status = decode(body, Some(&trailers)).unwrap_err();
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "workflow gone");
    }

    #[test]
    fn an_ok_status_without_a_message_is_internal() {
        let status = decode(Bytes::new(), Some(&ok())).unwrap_err();
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "Missing response message.");
        // A partial frame before OK trailers is no message either.
        let partial = frame(&response(), response().encoded_len())
            .unwrap()
            .slice(..7);
        assert_eq!(
            decode(partial, Some(&ok())).unwrap_err().message(),
            "Missing response message."
        );
    }

    #[test]
    fn a_stream_without_trailers_is_unknown_or_an_early_end() {
        let body = frame(&response(), response().encoded_len()).unwrap();
        let status = decode(body.clone(), None).unwrap_err();
        assert_eq!(status.code(), Code::Unknown);
        assert!(
            status.message().contains("missing grpc-status"),
            "{status:?}"
        );
        let status = decode(body.slice(..body.len() - 1), None).unwrap_err();
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "Unexpected EOF decoding stream.");
        // Trailers without grpc-status are no final status either.
        let status = decode(body, Some(&trailers(&[("x", "y")]))).unwrap_err();
        assert_eq!(status.code(), Code::Unknown);
    }

    #[test]
    fn an_http_error_without_grpc_status_maps_by_http_status() {
        for (http, code) in [
            (StatusCode::BAD_REQUEST, Code::Internal),
            (StatusCode::UNAUTHORIZED, Code::Unauthenticated),
            (StatusCode::FORBIDDEN, Code::PermissionDenied),
            (StatusCode::NOT_FOUND, Code::Unimplemented),
            (StatusCode::TOO_MANY_REQUESTS, Code::Unavailable),
            (StatusCode::BAD_GATEWAY, Code::Unavailable),
            (StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable),
            (StatusCode::GATEWAY_TIMEOUT, Code::Unavailable),
            (StatusCode::INTERNAL_SERVER_ERROR, Code::Unknown),
        ] {
            let status = decode_body(http, Bytes::new(), None, LIMIT).unwrap_err();
            assert_eq!(status.code(), code, "{http}");
            assert!(status.message().contains(http.as_str()), "{status:?}");
        }
    }

    #[test]
    fn a_message_over_the_limit_is_tonics_out_of_range() {
        let body = frame(&response(), response().encoded_len()).unwrap();
        let status = decode_body(StatusCode::OK, body, Some(&ok()), 3).unwrap_err();
        assert_eq!(status.code(), Code::OutOfRange);
        let len = response().encoded_len();
        assert_eq!(
            status.message(),
            format!(
                "Error, decoded message length too large: found {len} bytes, the limit is: 3 \
                 bytes"
            )
        );
        // The failure classification reads this message.
        let (error, kind) = super::super::failure::classify("StartWorkflowExecution", status);
        assert_eq!(kind, super::super::failure::FailureKind::LocalLimit);
        assert_eq!(error.code(), temporal_client_core::Code::ResourceExhausted);
    }

    #[test]
    fn a_compressed_or_unknown_flag_is_a_protocol_error() {
        let mut body = BytesMut::from(&frame(&response(), response().encoded_len()).unwrap()[..]);
        body[0] = 1;
        let status = decode(body.clone().freeze(), Some(&ok())).unwrap_err();
        assert_eq!(status.code(), Code::Internal);
        assert!(status.message().contains("compressed-flag"), "{status:?}");
        body[0] = 7;
        let status = decode(body.freeze(), Some(&ok())).unwrap_err();
        assert!(
            status.message().contains("invalid compression flag: 7"),
            "{status:?}"
        );
        assert!(status.message().contains("200 OK"), "{status:?}");
    }

    #[test]
    fn the_message_is_returned_without_its_prefix_or_what_follows() {
        let mut body = BytesMut::from(&frame(&response(), response().encoded_len()).unwrap()[..]);
        body.extend_from_slice(&[0, 0]);
        let message = decode_body(StatusCode::OK, body.freeze(), Some(&ok()), LIMIT).unwrap();
        assert_eq!(message, response().encode_to_vec());
    }

    #[test]
    fn the_response_head_refuses_compression_and_ends_a_trailers_only_response() {
        assert!(check_head(&trailers(&[("content-type", "application/grpc")])).is_ok());
        assert!(check_head(&trailers(&[("grpc-encoding", "identity")])).is_ok());
        let status = check_head(&trailers(&[("grpc-encoding", "gzip")])).unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented);
        assert!(status.message().contains("`gzip`"), "{status:?}");
        let status = check_head(&trailers(&[
            ("grpc-status", "7"),
            ("grpc-message", "denied"),
        ]))
        .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied);
        assert_eq!(status.message(), "denied");
        let status = check_head(&ok()).unwrap_err();
        assert_eq!(status.message(), "Missing response message.");
    }

    #[test]
    fn a_route_needs_a_scheme_an_authority_and_no_path_prefix() {
        let uri = |s: &str| s.parse::<http::Uri>().unwrap();
        assert!(Route::new(&uri("http://localhost:7233"), LIMIT).is_some());
        assert!(Route::new(&uri("https://h.example:443/"), LIMIT).is_some());
        assert!(Route::new(&uri("http://h:1/prefix"), LIMIT).is_none());
        assert!(Route::new(&uri("/only/a/path"), LIMIT).is_none());
    }
}
