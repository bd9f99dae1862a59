//! A minimal pipelining Kafka connection over kafka-wire: send requests without waiting, read
//! responses in order. Used by `bench` and `send`.

use std::collections::VecDeque;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use bytes::{Buf, Bytes, BytesMut};
use kafka_wire::frame::{frame_size, Request, Response};
use kafka_wire::header::RequestHeader;
use kafka_wire::{ApiKey, RequestBody, ResponseBody, Writer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One connection with requests in flight.
pub struct Conn {
    sock: TcpStream,
    buf: BytesMut,
    next_id: i32,
    inflight: VecDeque<(ApiKey, i16, Instant)>,
}

impl Conn {
    /// Connect to `addr`.
    pub async fn connect(addr: &str) -> Result<Self> {
        let sock = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        sock.set_nodelay(true)?;
        Ok(Conn {
            sock,
            buf: BytesMut::with_capacity(1 << 20),
            next_id: 1,
            inflight: VecDeque::new(),
        })
    }

    /// Requests sent and not yet answered.
    pub fn inflight(&self) -> usize {
        self.inflight.len()
    }

    /// Send a request at `version`; `expect_response` is false for acks=0 produce.
    pub async fn send(
        &mut self,
        body: &RequestBody,
        version: i16,
        expect_response: bool,
    ) -> Result<()> {
        let header = RequestHeader {
            api_key: body.api_key() as i16,
            api_version: version,
            correlation_id: self.next_id,
            client_id: Some("kafka-cli".into()),
            ..Default::default()
        };
        self.next_id += 1;
        let mut w = Writer::with_capacity(128);
        let req = Request {
            header,
            body: body.clone(),
        };
        req.encode(&mut w)?;
        let len = w.len() as i32;
        let mut parts = vec![Bytes::copy_from_slice(&len.to_be_bytes())];
        parts.extend(w.into_chunks());
        for p in parts {
            self.sock.write_all(&p).await?;
        }
        if expect_response {
            self.inflight
                .push_back((body.api_key(), version, Instant::now()));
        }
        Ok(())
    }

    /// Send a whole request frame as given (no size prefix: it is added), e.g. a fixture.
    pub async fn send_frame(&mut self, frame: &[u8], api: ApiKey, version: i16) -> Result<()> {
        let len = i32::try_from(frame.len()).context("frame too large")?;
        self.sock.write_all(&len.to_be_bytes()).await?;
        self.sock.write_all(frame).await?;
        self.inflight.push_back((api, version, Instant::now()));
        Ok(())
    }

    /// Read the oldest outstanding response frame undecoded (no size prefix), with the API
    /// and version of its request and the round-trip time.
    pub async fn recv_frame(&mut self) -> Result<(Bytes, ApiKey, i16, std::time::Duration)> {
        let Some((api, version, sent)) = self.inflight.pop_front() else {
            bail!("no request in flight")
        };
        loop {
            if let Some(size) = frame_size(&self.buf, 1 << 30)? {
                self.buf.advance(4);
                let frame = self.buf.split_to(size).freeze();
                return Ok((frame, api, version, sent.elapsed()));
            }
            // Room for the whole frame once its size is known, so a large response is read
            // in place instead of through a buffer that grows (and copies) as it fills.
            if let Some(&prefix) = self.buf.first_chunk::<4>() {
                let whole = 4 + u32::from_be_bytes(prefix) as usize;
                self.buf.reserve(whole.saturating_sub(self.buf.len()));
            }
            if self.sock.read_buf(&mut self.buf).await? == 0 {
                bail!("connection closed by the broker");
            }
        }
    }

    /// Read the oldest outstanding response; returns it with its round-trip time.
    pub async fn recv(&mut self) -> Result<(ResponseBody, std::time::Duration)> {
        let (frame, api, version, rtt) = self.recv_frame().await?;
        let resp = Response::decode(&frame, api, version)
            .with_context(|| format!("decoding {} v{version} response", api.name()))?;
        Ok((resp.body, rtt))
    }

    /// Send one request and wait for its response.
    pub async fn call(&mut self, body: &RequestBody, version: i16) -> Result<ResponseBody> {
        self.send(body, version, true).await?;
        Ok(self.recv().await?.0)
    }
}
