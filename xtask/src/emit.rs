//! Emitting one Rust module per API from its request and response definitions.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{bail, Result};

use crate::spec::{Field, Message, Versions};

/// Snake case of a spec name: `ThrottleTimeMs` → `throttle_time_ms`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (n, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                n > 0 && (chars[n - 1].is_ascii_lowercase() || chars[n - 1].is_ascii_digit());
            let next_lower = chars.get(n + 1).is_some_and(|x| x.is_ascii_lowercase());
            let prev_upper = n > 0 && chars[n - 1].is_ascii_uppercase();
            if n > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn ident(name: &str) -> String {
    let s = snake(name);
    match s.as_str() {
        "type" | "match" | "ref" | "mod" | "fn" | "struct" | "enum" | "loop" | "move" | "where"
        | "self" | "use" | "in" | "as" | "box" | "async" | "await" | "dyn" => format!("r#{s}"),
        _ => s,
    }
}

fn plain(id: &str) -> &str {
    id.trim_start_matches("r#")
}

/// What one field looks like in Rust for a given message.
struct FieldPlan<'f> {
    f: &'f Field,
    id: String,
    /// Versions of the message in which the field is on the wire.
    present: Versions,
    /// The base type (`i32`, `String`, a struct name…).
    base: String,
    array: bool,
    option: bool,
    /// Nullable in some but not all present versions.
    partial_null: bool,
    is_struct: bool,
}

impl FieldPlan<'_> {
    fn inner_ty(&self) -> String {
        if self.array {
            format!("Vec<{}>", self.base)
        } else {
            self.base.clone()
        }
    }

    fn ty(&self) -> String {
        if self.option {
            format!("Option<{}>", self.inner_ty())
        } else {
            self.inner_ty()
        }
    }

    fn inner_default(&self) -> String {
        if self.array {
            return format!("Vec::<{}>::new()", self.base);
        }
        let d = self.f.default.as_deref().filter(|d| *d != "null");
        match self.base.as_str() {
            "bool" => d.unwrap_or("false").to_string(),
            "i8" | "i16" | "i32" | "i64" | "u16" | "u32" => match d {
                Some(x) if x.starts_with("0x") => {
                    i64::from_str_radix(&x[2..], 16).unwrap_or(0).to_string()
                }
                Some(x) => x.to_string(),
                None => "0".into(),
            },
            "f64" => d.map_or("0.0".into(), |x| format!("{x}_f64")),
            "String" => match d {
                Some(x) if !x.is_empty() => format!("String::from({x:?})"),
                _ => "String::new()".into(),
            },
            "Bytes" => "Bytes::new()".into(),
            "Records" => "Records::default()".into(),
            "Uuid" => "Uuid::ZERO".into(),
            s => format!("{s}::default()"),
        }
    }

    fn default(&self) -> String {
        if !self.option {
            return self.inner_default();
        }
        let null_default = self.f.default.as_deref() == Some("null")
            || (!self.array && (self.base == "Records" || self.is_struct));
        if null_default {
            "None".into()
        } else {
            format!("Some({})", self.inner_default())
        }
    }
}

fn base_type(ty: &str) -> (String, bool, bool) {
    let (t, array) = match ty.strip_prefix("[]") {
        Some(t) => (t, true),
        None => (ty, false),
    };
    let base = match t {
        "bool" => "bool",
        "int8" => "i8",
        "int16" => "i16",
        "int32" => "i32",
        "int64" => "i64",
        "uint16" => "u16",
        "uint32" => "u32",
        "float64" => "f64",
        "uuid" => "Uuid",
        "string" => "String",
        "bytes" => "Bytes",
        "records" => "Records",
        other => return (other.to_string(), array, true),
    };
    (base.to_string(), array, false)
}

fn plan<'f>(f: &'f Field, valid: &Versions) -> FieldPlan<'f> {
    let present = f.versions.intersect(valid);
    let nullable = f.nullable.intersect(&present);
    let (base, array, is_struct) = base_type(&f.ty);
    let option = !nullable.is_empty();
    FieldPlan {
        f,
        id: ident(&f.name),
        present,
        base,
        array,
        option,
        partial_null: option && nullable != present,
        is_struct,
    }
}

/// `v >= lo && v <= hi`, leaving out bounds the message's own range implies.
fn cond(r: &Versions, valid: &Versions) -> String {
    if r.is_empty() {
        return "false".into();
    }
    let mut parts = Vec::new();
    if r.lo > valid.lo {
        parts.push(format!("v >= {}", r.lo));
    }
    if r.hi < valid.hi {
        parts.push(format!("v <= {}", r.hi));
    }
    if parts.is_empty() {
        "true".into()
    } else {
        parts.join(" && ")
    }
}

/// A struct to emit: its name, docs and fields.
#[derive(Clone)]
struct StructDef {
    name: String,
    about: String,
    fields: Vec<Field>,
    top: bool,
}

/// Collect every struct of a message (top-level first), failing on conflicting duplicates.
fn collect(
    msg: &Message,
    out: &mut Vec<StructDef>,
    nullable_structs: &mut Vec<String>,
) -> Result<()> {
    let common: BTreeMap<&str, &Vec<Field>> =
        msg.common.iter().map(|(n, f)| (n.as_str(), f)).collect();
    let mut pending = vec![StructDef {
        name: msg.name.clone(),
        about: format!("{} (API key {}).", msg.name, msg.api_key),
        fields: msg.fields.clone(),
        top: true,
    }];
    while let Some(def) = pending.pop() {
        for f in &def.fields {
            let (base, _, is_struct) = base_type(&f.ty);
            if !is_struct {
                continue;
            }
            if !f.nullable.intersect(&f.versions).is_empty() && !f.ty.starts_with("[]") {
                nullable_structs.push(base.clone());
            }
            let fields = match (&f.fields, common.get(base.as_str())) {
                (Some(fields), _) => fields.clone(),
                (None, Some(fields)) => (*fields).clone(),
                (None, None) => bail!("{}: unknown struct type {}", msg.name, f.ty),
            };
            pending.push(StructDef {
                name: base,
                about: f.about.clone(),
                fields,
                top: false,
            });
        }
        if let Some(existing) = out.iter().find(|s| s.name == def.name) {
            if format!("{:?}", existing.fields) != format!("{:?}", def.fields) {
                bail!("struct {} is defined twice with different fields", def.name);
            }
            continue;
        }
        out.push(def);
    }
    Ok(())
}

/// The response with every nested struct that shares a name with a different request struct
/// (AlterClientQuotas' `EntryData`, …) renamed `Response<Name>`, since both live in one module.
fn without_clashes(request: &Message, response: &Message) -> Result<Message> {
    let (mut req, mut resp) = (Vec::new(), Vec::new());
    collect(request, &mut req, &mut Vec::new())?;
    collect(response, &mut resp, &mut Vec::new())?;
    let clashes: Vec<String> = resp
        .iter()
        .filter(|d| {
            req.iter()
                .any(|r| r.name == d.name && format!("{:?}", r.fields) != format!("{:?}", d.fields))
        })
        .map(|d| d.name.clone())
        .collect();
    fn rename(fields: &mut [Field], clashes: &[String]) {
        for f in fields {
            let (base, _, is_struct) = base_type(&f.ty);
            if is_struct && clashes.contains(&base) {
                f.ty = f.ty.replace(&base, &format!("Response{base}"));
            }
            if let Some(inner) = &mut f.fields {
                rename(inner, clashes);
            }
        }
    }
    let mut out = response.clone();
    rename(&mut out.fields, &clashes);
    for (name, fields) in &mut out.common {
        if clashes.contains(name) {
            *name = format!("Response{name}");
        }
        rename(fields, &clashes);
    }
    Ok(out)
}

/// Everything needed to emit one API's module.
pub struct Api {
    pub name: String,
    pub module: String,
    pub request: Message,
    pub response: Message,
}

pub fn module(api: &Api) -> Result<String> {
    let mut o = String::new();
    writeln!(
        o,
        "//! {} (API key {}): request and response bodies, every version {}-{}.",
        api.name, api.request.api_key, api.request.valid.lo, api.request.valid.hi
    )?;
    writeln!(o, "//!\n//! Generated by `cargo xtask codegen` from Apache Kafka's `{}Request.json` and `{}Response.json`. Do not edit.", api.name, api.name)?;
    o.push_str("\n#![allow(unused_mut, unused_variables, unused_imports, clippy::all)]\n\n");
    o.push_str("use bytes::Bytes;\n\nuse crate::codec::{decode_some, encode_some, size_some, Cx, ErrorCodes, FitVersion, Message, Wire};\nuse crate::error::{field, WireError, WireResult};\nuse crate::primitives::{decode_tags, section_size, tag_size, tagged_value, write_tag, Records, TagsOut, UnknownTags, Uuid};\nuse crate::sample::{Sample, Seed};\nuse crate::value::Value;\nuse crate::writer::Writer;\n\n");
    let response = without_clashes(&api.request, &api.response)?;
    for msg in [&api.request, &response] {
        if msg.valid != api.request.valid || msg.flexible != api.request.flexible {
            bail!("{}: request and response version tables differ", msg.name);
        }
        let mut defs = Vec::new();
        let mut nullable = Vec::new();
        collect(msg, &mut defs, &mut nullable)?;
        for def in &defs {
            if o.contains(&format!("pub struct {} {{", def.name)) {
                continue;
            }
            emit_struct(&mut o, msg, def)?;
            if nullable.contains(&def.name) {
                writeln!(o, "crate::nullable_struct!({});\n", def.name)?;
            }
        }
    }
    Ok(o)
}

fn doc(o: &mut String, indent: &str, text: &str) {
    let text = text.trim();
    let text = if text.is_empty() {
        "See the Kafka protocol definition."
    } else {
        text
    };
    for line in text.lines() {
        let _ = writeln!(o, "{indent}/// {}", line.trim().replace('`', "'"));
    }
}

fn range_text(r: &Versions) -> String {
    if r.is_empty() {
        "none".into()
    } else if r.hi == i16::MAX {
        format!("{}+", r.lo)
    } else if r.lo == r.hi {
        format!("{}", r.lo)
    } else {
        format!("{}-{}", r.lo, r.hi)
    }
}

fn emit_struct(o: &mut String, msg: &Message, def: &StructDef) -> Result<()> {
    let valid = msg.valid;
    let flex = !msg.flexible.intersect(&valid).is_empty();
    let plans: Vec<FieldPlan> = def.fields.iter().map(|f| plan(f, &valid)).collect();
    let path = |p: &FieldPlan| format!("{}.{}", def.name, plain(&p.id));

    doc(o, "", &def.about);
    writeln!(
        o,
        "#[derive(Debug, Clone, PartialEq)]\npub struct {} {{",
        def.name
    )?;
    for p in &plans {
        doc(o, "    ", &p.f.about);
        let tag =
            p.f.tagged
                .map(|(t, _)| format!(", tagged (tag {t})"))
                .unwrap_or_default();
        writeln!(
            o,
            "    ///\n    /// Versions {}{tag}.",
            range_text(&p.present)
        )?;
        writeln!(o, "    pub {}: {},", p.id, p.ty())?;
    }
    if flex {
        writeln!(o, "    /// Tagged fields this codec does not know, kept as received.\n    pub unknown_tagged_fields: UnknownTags,")?;
    }
    o.push_str("}\n\n");

    // Default
    writeln!(
        o,
        "impl Default for {} {{\n    fn default() -> Self {{\n        Self {{",
        def.name
    )?;
    for p in &plans {
        writeln!(o, "            {}: {},", p.id, p.default())?;
    }
    if flex {
        o.push_str("            unknown_tagged_fields: UnknownTags::default(),\n");
    }
    o.push_str("        }\n    }\n}\n\n");

    if def.top {
        let flex_from = if flex { msg.flexible.lo } else { i16::MAX };
        writeln!(o, "impl Message for {} {{\n    const API_KEY: i16 = {};\n    const NAME: &'static str = {:?};\n    const MIN_VERSION: i16 = {};\n    const MAX_VERSION: i16 = {};\n    const FLEXIBLE_FROM: i16 = {};\n}}\n", def.name, msg.api_key, def.name, valid.lo, valid.hi, flex_from)?;
    }

    let (regular, mut tagged): (Vec<&FieldPlan>, Vec<&FieldPlan>) =
        plans.iter().partition(|p| p.f.tagged.is_none());
    tagged.sort_by_key(|p| p.f.tagged.map(|(t, _)| t));
    let tag_present = |p: &FieldPlan| -> (u32, String) {
        let (t, tv) = p.f.tagged.unwrap_or((0, Versions::NONE));
        (t, cond(&p.present.intersect(&tv), &valid))
    };

    writeln!(o, "impl Wire for {} {{", def.name)?;
    // min_size
    o.push_str("    fn min_size(cx: &Cx<'_>) -> usize {\n        let v = cx.version;\n        let mut n = 0;\n");
    for p in &regular {
        writeln!(
            o,
            "        if {} {{ n += <{} as Wire>::min_size(cx); }}",
            cond(&p.present, &valid),
            p.ty()
        )?;
    }
    if flex {
        o.push_str("        if cx.flexible { n += 1; }\n");
    }
    o.push_str("        n\n    }\n\n");

    // decode
    o.push_str("    fn decode<'a>(i: &'a [u8], cx: &Cx<'_>) -> WireResult<'a, Self> {\n        let v = cx.version;\n        let mut this = Self::default();\n        let mut i = i;\n");
    for p in &regular {
        let dec = if p.partial_null {
            format!(
                "if {} {{ <{} as Wire>::decode(i, cx) }} else {{ decode_some::<{}>(i, cx) }}",
                cond(&p.f.nullable.intersect(&p.present), &valid),
                p.ty(),
                p.inner_ty()
            )
        } else {
            format!("<{} as Wire>::decode(i, cx)", p.ty())
        };
        writeln!(o, "        if {} {{\n            let (rest, x) = field({:?}, i, {dec})?;\n            this.{} = x;\n            i = rest;\n        }}", cond(&p.present, &valid), path(p), p.id)?;
    }
    if flex {
        o.push_str(
            "        if cx.flexible {\n            let mut unknown = UnknownTags::default();\n",
        );
        writeln!(o, "            let (rest, ()) = field({:?}, i, decode_tags(i, cx, &mut unknown, |tag, data| match tag {{", format!("{}._tagged_fields", def.name))?;
        for p in &tagged {
            let (t, c) = tag_present(p);
            writeln!(o, "                {t} if {c} => {{\n                    this.{} = field({:?}, data, tagged_value::<{}>(data, cx, tag))?;\n                    Ok(true)\n                }}", p.id, path(p), p.ty())?;
        }
        o.push_str("                _ => Ok(false),\n            }))?;\n            this.unknown_tagged_fields = unknown;\n            i = rest;\n        }\n");
    }
    o.push_str("        Ok((i, this))\n    }\n\n");

    // encode
    o.push_str("    fn encode(&self, w: &mut Writer, cx: &Cx<'_>) -> Result<(), WireError> {\n        let v = cx.version;\n");
    let absent_check = |o: &mut String, p: &FieldPlan, present: &str| -> Result<()> {
        if !p.f.ignorable && present != "true" {
            writeln!(o, "        if !({present}) && self.{} != {} {{\n            return Err(WireError::FieldNotInVersion {{ field: {:?}, version: v }});\n        }}", p.id, p.default(), path(p))?;
        }
        Ok(())
    };
    for p in &regular {
        let c = cond(&p.present, &valid);
        let enc = if p.partial_null {
            format!(
                "if {} {{ self.{id}.encode(w, cx) }} else {{ encode_some(&self.{id}, w, cx) }}",
                cond(&p.f.nullable.intersect(&p.present), &valid),
                id = p.id
            )
        } else {
            format!("self.{}.encode(w, cx)", p.id)
        };
        writeln!(
            o,
            "        if {c} {{\n            {enc}.map_err(|e| e.in_field({:?}))?;\n        }}",
            path(p)
        )?;
        absent_check(o, p, &c)?;
    }
    if flex {
        for p in &tagged {
            let (_, c) = tag_present(p);
            absent_check(o, p, &format!("cx.flexible && {c}"))?;
        }
        o.push_str("        if cx.flexible {\n            let mut known = 0;\n");
        for p in &tagged {
            let (_, c) = tag_present(p);
            writeln!(o, "            let has_{} = {c} && self.{} != {};\n            if has_{} {{ known += 1; }}", plain(&p.id), p.id, p.default(), plain(&p.id))?;
        }
        o.push_str(
            "            let mut tags = TagsOut::start(w, known, &self.unknown_tagged_fields);\n",
        );
        for p in &tagged {
            let (t, _) = tag_present(p);
            writeln!(o, "            if has_{} {{\n                tags.before(w, {t});\n                write_tag(w, cx, {t}, &self.{}).map_err(|e| e.in_field({:?}))?;\n            }}", plain(&p.id), p.id, path(p))?;
        }
        o.push_str("            tags.finish(w);\n        }\n");
    }
    o.push_str("        Ok(())\n    }\n\n");

    // size
    o.push_str("    fn size(&self, cx: &Cx<'_>) -> usize {\n        let v = cx.version;\n        let mut n = 0;\n");
    for p in &regular {
        let sz = if p.partial_null {
            format!(
                "if {} {{ self.{id}.size(cx) }} else {{ size_some(&self.{id}, cx) }}",
                cond(&p.f.nullable.intersect(&p.present), &valid),
                id = p.id
            )
        } else {
            format!("self.{}.size(cx)", p.id)
        };
        writeln!(
            o,
            "        if {} {{ n += {sz}; }}",
            cond(&p.present, &valid)
        )?;
    }
    if flex {
        o.push_str("        if cx.flexible {\n            let mut known = 0;\n            let mut bytes = 0;\n");
        for p in &tagged {
            let (t, c) = tag_present(p);
            writeln!(o, "            if {c} && self.{id} != {} {{ known += 1; bytes += tag_size(cx, {t}, &self.{id}); }}", p.default(), id = p.id)?;
        }
        o.push_str("            n += section_size(known, bytes, &self.unknown_tagged_fields);\n        }\n");
    }
    o.push_str("        n\n    }\n\n");

    // to_value
    o.push_str("    fn to_value(&self, cx: &Cx<'_>) -> Value {\n        let v = cx.version;\n        let mut f: Vec<(&'static str, Value)> = Vec::new();\n");
    for p in &regular {
        writeln!(
            o,
            "        if {} {{ f.push(({:?}, self.{}.to_value(cx))); }}",
            cond(&p.present, &valid),
            plain(&p.id),
            p.id
        )?;
    }
    if flex {
        for p in &tagged {
            let (_, c) = tag_present(p);
            writeln!(o, "        if cx.flexible && {c} && self.{} != {} {{ f.push(({:?}, self.{}.to_value(cx))); }}", p.id, p.default(), plain(&p.id), p.id)?;
        }
        o.push_str("        if !self.unknown_tagged_fields.is_empty() {\n            let tags = self.unknown_tagged_fields.0.iter().map(|(t, d)| Value::Struct(vec![(\"tag\", Value::Int(i64::from(*t))), (\"data\", Value::Bytes(d.clone()))])).collect();\n            f.push((\"_unknown_tagged_fields\", Value::Array(tags)));\n        }\n");
    }
    o.push_str("        Value::Struct(f)\n    }\n}\n\n");

    // sample
    writeln!(o, "impl Sample for {} {{\n    fn sample(cx: &Cx<'_>, s: &mut Seed) -> Self {{\n        let v = cx.version;\n        let mut this = Self::default();", def.name)?;
    for p in &plans {
        let c = match p.f.tagged {
            Some(_) => format!("cx.flexible && {}", tag_present(p).1),
            None => cond(&p.present, &valid),
        };
        let val = if p.base == "bool" && !p.array && !p.option {
            format!(
                "if s.is_random() {{ Sample::sample(cx, s) }} else {{ !{} }}",
                p.default()
            )
        } else if p.partial_null {
            "Some(Sample::sample(cx, s))".into()
        } else {
            "Sample::sample(cx, s)".into()
        };
        writeln!(o, "        if {c} {{ this.{} = {val}; }}", p.id)?;
    }
    if flex {
        o.push_str("        if cx.flexible { this.unknown_tagged_fields = s.unknown_tags(); }\n");
    }
    o.push_str("        this\n    }\n}\n\n");

    // fit_version
    writeln!(o, "impl FitVersion for {} {{\n    fn fit_version(&mut self, cx: &Cx<'_>) {{\n        let v = cx.version;", def.name)?;
    for p in &plans {
        let c = match p.f.tagged {
            Some(_) => format!("cx.flexible && {}", tag_present(p).1),
            None => cond(&p.present, &valid),
        };
        writeln!(
            o,
            "        if {c} {{ self.{id}.fit_version(cx); }} else {{ self.{id} = {}; }}",
            p.default(),
            id = p.id
        )?;
    }
    o.push_str("    }\n}\n\n");

    // error_codes
    writeln!(
        o,
        "impl ErrorCodes for {} {{\n    fn error_codes(&self, f: &mut dyn FnMut(i16)) {{",
        def.name
    )?;
    for p in &plans {
        if p.is_struct {
            writeln!(o, "        self.{}.error_codes(f);", p.id)?;
        } else if plain(&p.id) == "error_code" && p.base == "i16" && !p.array {
            if p.option {
                writeln!(o, "        if let Some(c) = self.{} {{ f(c); }}", p.id)?;
            } else {
                writeln!(o, "        f(self.{});", p.id)?;
            }
        }
    }
    o.push_str("    }\n}\n\n");
    Ok(())
}
