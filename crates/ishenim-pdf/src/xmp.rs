//! The XMP metadata packet: the same title, subject, keywords, creator, producer and
//! dates as the Info dictionary, for archive tools that read XMP rather than Info. The
//! journal's own keys stay in the Info dictionary only.
//!
//! No PDF/A identification (`pdfaid`): no PDF/A validator could be installed to check the
//! files (docs/notes/issue-18.md, session 9), and a file must not claim a conformance that
//! nothing has verified.

use crate::Info;

/// The packet, UTF-8, with the `xpacket` wrapper.
pub fn packet(i: &Info) -> String {
    let dates = if i.created.len() == 14 && i.created.bytes().all(|b| b.is_ascii_digit()) {
        let c = &i.created;
        let d = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &c[0..4],
            &c[4..6],
            &c[6..8],
            &c[8..10],
            &c[10..12],
            &c[12..14]
        );
        format!("<xmp:CreateDate>{d}</xmp:CreateDate><xmp:ModifyDate>{d}</xmp:ModifyDate>")
    } else {
        String::new()
    };
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
         <dc:format>application/pdf</dc:format>\n\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n\
         <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n\
         <pdf:Keywords>{}</pdf:Keywords><pdf:Producer>Ishenim</pdf:Producer>\n\
         <xmp:CreatorTool>Ishenim</xmp:CreatorTool>{dates}\n\
         </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>",
        escape(&i.title),
        escape(&i.subject),
        escape(&i.keywords)
    )
}

/// XML text: markup characters escaped, control characters (not allowed in XML 1.0)
/// dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packet_repeats_the_info_and_claims_no_pdfa() {
        let p = packet(&Info {
            title: "Кат <№ 5> & Co".into(),
            subject: "Арыз".into(),
            keywords: "ишеним".into(),
            created: "20260105103000".into(),
            custom: vec![("IshenimSerial".into(), "2026-5".into())],
        });
        assert!(!p.contains("pdfaid"), "no unverified PDF/A claim");
        assert!(p.contains("<dc:format>application/pdf</dc:format>"));
        assert!(p.contains(">Кат &lt;№ 5&gt; &amp; Co</rdf:li>"));
        assert!(p.contains("<xmp:CreateDate>2026-01-05T10:30:00Z</xmp:CreateDate>"));
        assert!(!p.contains("IshenimSerial"), "journal keys stay in Info");
        assert!(p.starts_with("<?xpacket begin=\"\u{FEFF}\""));
    }
}
