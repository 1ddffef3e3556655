import TockAuth

/// The frame every dashboard page shares: head, navigation, who is signed in, and a notice or an error.
enum UILayout {
    enum Section {
        case overview, jobs, deadLetters, flows, none
    }

    /// What the page says above its content, after an action (`?notice=` or `?error=` on the redirect).
    struct Message {
        var notice: String?
        var error: String?
    }

    static func page(
        title: String, section: Section, caller: Caller, message: Message = .init(), refreshEveryMs: Int? = nil,
        content: (inout HTMLPage) -> Void
    ) -> String {
        var html = HTMLPage()
        html.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        html.element("title", text: "Tock — \(title)")
        html.raw("<link rel=\"stylesheet\" href=\"/ui/assets/style.css\">")
        html.raw("<script src=\"/ui/assets/app.js\" defer></script></head><body><header>")
        html.raw("<span class=\"brand\">Tock</span>")
        for (link, name, here) in [
            ("/ui/", "Overview", section == .overview), ("/ui/jobs", "Jobs", section == .jobs),
            ("/ui/dead-letters", "Dead letters", section == .deadLetters), ("/ui/flows", "Flows", section == .flows),
        ] {
            html.element("a", ["href": link, "class": here ? "here" : ""], text: name)
        }
        if caller != .open {
            html.element("span", ["class": "muted"], text: "key: \(caller.name)")
            html.element("form", ["class": "inline", "method": "post", "action": "/ui/logout"]) {
                $0.raw("<button type=\"submit\">Sign out</button>")
            }
        }
        html.raw("</header>")
        if let refreshEveryMs {
            html.open("main", ["data-refresh": "\(refreshEveryMs)"])
        } else {
            html.raw("<main>")
        }
        if let notice = message.notice { html.element("div", ["class": "notice", "role": "status"], text: notice) }
        if let error = message.error { html.element("div", ["class": "error", "role": "alert"], text: error) }
        html.element("h1", text: title)
        content(&html)
        html.raw("</main></body></html>")
        return html.text
    }

    /// `<table>` with a header row and one row per item.
    static func table<Item>(
        _ html: inout HTMLPage, headers: [String], rows: [Item], id: String? = nil,
        row: (inout HTMLPage, Item) -> Void
    ) {
        if let id { html.open("table", ["id": id]) } else { html.raw("<table>") }
        html.raw("<thead><tr>")
        for header in headers { html.element("th", text: header) }
        html.raw("</tr></thead><tbody>")
        for item in rows {
            html.raw("<tr>")
            row(&html, item)
            html.raw("</tr>")
        }
        html.raw("</tbody></table>")
    }

    /// A button that POSTs to `action`, asking first when `confirm` is given.
    static func actionButton(
        _ html: inout HTMLPage, _ label: String, action: String, confirm: String? = nil, danger: Bool = false,
        fields: [(String, String)] = []
    ) {
        html.element("form", ["class": "inline", "method": "post", "action": action, "data-confirm": confirm ?? ""]) {
            html in
            for (name, value) in fields {
                html.open("input", ["type": "hidden", "name": name, "value": value])
            }
            html.element("button", ["type": "submit", "class": danger ? "danger" : ""], text: label)
        }
    }
}
