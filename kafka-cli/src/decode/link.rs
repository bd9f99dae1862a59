//! From a captured packet to its TCP segment: link layer (Ethernet, Linux cooked v1/v2, BSD
//! loopback, raw IP), then IPv4/IPv6 and TCP, parsed with `etherparse`.

use std::net::{IpAddr, SocketAddr};

use etherparse::{NetSlice, SlicedPacket, TransportSlice};

/// pcap link-layer types we read.
pub mod linktype {
    /// BSD loopback: a 4-byte address family in host order.
    pub const NULL: i32 = 0;
    /// Ethernet II.
    pub const ETHERNET: i32 = 1;
    /// Raw IP.
    pub const RAW: i32 = 101;
    /// OpenBSD loopback: family in network order.
    pub const LOOP: i32 = 108;
    /// Linux cooked capture v1 (`-i any`).
    pub const LINUX_SLL: i32 = 113;
    /// Raw IPv4.
    pub const IPV4: i32 = 228;
    /// Raw IPv6.
    pub const IPV6: i32 = 229;
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: i32 = 276;
}

/// One TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Sequence number of the first payload byte (of the SYN itself when `syn`).
    pub seq: u32,
    /// SYN flag: the stream starts at `seq + 1`.
    pub syn: bool,
    /// The TCP payload.
    pub payload: &'a [u8],
}

/// The TCP segment in a packet of link type `link`, if it holds one.
pub fn tcp_segment(link: i32, data: &[u8]) -> Option<Segment<'_>> {
    let sliced = match link {
        linktype::ETHERNET => SlicedPacket::from_ethernet(data).ok()?,
        linktype::LINUX_SLL => SlicedPacket::from_linux_sll(data).ok()?,
        linktype::LINUX_SLL2 => SlicedPacket::from_ip(data.get(20..)?).ok()?,
        linktype::NULL | linktype::LOOP => SlicedPacket::from_ip(data.get(4..)?).ok()?,
        linktype::RAW | linktype::IPV4 | linktype::IPV6 => SlicedPacket::from_ip(data).ok()?,
        _ => return None,
    };
    segment(&sliced)
}

/// The TCP segment in a packet of unknown link type (a pasted `tshark -x` section): Ethernet
/// if its EtherType says IP, else raw IP, else Linux cooked.
pub fn guess_tcp_segment(data: &[u8]) -> Option<Segment<'_>> {
    let ether_ip = matches!(data.get(12..14), Some([0x08, 0x00] | [0x86, 0xdd]));
    let sll_ip = matches!(data.get(14..16), Some([0x08, 0x00] | [0x86, 0xdd]));
    let candidates: &[i32] = match (ether_ip, data.first().map(|b| b >> 4)) {
        (true, _) => &[linktype::ETHERNET],
        (false, Some(4 | 6)) => &[linktype::RAW],
        _ if sll_ip => &[linktype::LINUX_SLL],
        _ => &[],
    };
    candidates.iter().find_map(|&l| tcp_segment(l, data))
}

fn segment<'a>(p: &SlicedPacket<'a>) -> Option<Segment<'a>> {
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match p.net.as_ref()? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        _ => return None,
    };
    let TransportSlice::Tcp(tcp) = p.transport.as_ref()? else {
        return None;
    };
    Some(Segment {
        src: SocketAddr::new(src_ip, tcp.source_port()),
        dst: SocketAddr::new(dst_ip, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        payload: tcp.payload(),
    })
}
