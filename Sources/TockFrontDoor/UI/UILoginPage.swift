import TockAuth

/// `/ui/login`: asks for an API key when the node has an auth file. The key is kept in an HttpOnly, SameSite=Strict
/// cookie for `/ui` alone, so the pages and their forms act as that key, with its scopes and tenant only.
enum UILoginPage {
    static func render(error: String?, next: String) -> String {
        UILayout.page(
            title: "Sign in", section: .none, caller: .open, message: .init(notice: nil, error: error)
        ) { html in
            html.element("p", text: "This node needs an API key. It is kept in a cookie for this dashboard only.")
            html.element("form", ["method": "post", "action": "/ui/login", "class": "filters"]) { html in
                html.open("input", ["type": "hidden", "name": "next", "value": next])
                html.element("label") { html in
                    html.text("API key")
                    html.open("input", ["type": "password", "name": "key", "id": "key", "autocomplete": "off"])
                }
                html.raw("<button type=\"submit\" id=\"sign-in\">Sign in</button>")
            }
        }
    }
}
