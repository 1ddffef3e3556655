/// The dashboard's style sheet and its one small script, served from the binary (`/ui/assets/…`): no build step,
/// no third-party code, nothing fetched from elsewhere.
enum UIAssets {
    static let styleSheet = """
        :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
        body { margin: 0; }
        header { background: #1d2330; color: #fff; padding: 0.6rem 1.2rem; display: flex; gap: 1.5rem; align-items: center; }
        header a { color: #cfd6e4; text-decoration: none; }
        header a.here, header a:hover { color: #fff; }
        header .brand { font-weight: 700; color: #fff; }
        main { padding: 1.2rem; }
        h1 { font-size: 1.3rem; margin: 0 0 1rem; }
        h2 { font-size: 1.05rem; margin: 1.4rem 0 0.5rem; }
        table { border-collapse: collapse; background: #fff; font-size: 0.9rem; }
        th, td { text-align: left; padding: 0.35rem 0.7rem; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
        th { background: #eef0f4; font-weight: 600; }
        td.wrap { max-width: 40rem; overflow-wrap: anywhere; white-space: pre-wrap; }
        .state-failed { color: #b3261e; font-weight: 600; }
        .state-succeeded { color: #1e7b34; }
        .state-cancelled { color: #6b7280; }
        form.inline { display: inline; }
        form.filters { display: flex; gap: 0.6rem; align-items: end; flex-wrap: wrap; margin-bottom: 1rem; }
        label { display: flex; flex-direction: column; font-size: 0.8rem; gap: 0.2rem; }
        input, select, button { font: inherit; padding: 0.25rem 0.5rem; }
        button { cursor: pointer; border: 1px solid #9aa3b5; background: #fff; border-radius: 4px; }
        button.danger { border-color: #b3261e; color: #b3261e; }
        .notice { background: #e8f1ff; border: 1px solid #9bbcf0; padding: 0.5rem 0.8rem; margin-bottom: 1rem; }
        .error { background: #fdecea; border: 1px solid #f1a7a1; padding: 0.5rem 0.8rem; margin-bottom: 1rem; }
        .muted { color: #6b7280; }
        .cards { display: flex; gap: 1rem; flex-wrap: wrap; }
        .card { background: #fff; border: 1px solid #e3e6ec; padding: 0.6rem 1rem; min-width: 7rem; }
        .card b { display: block; font-size: 1.4rem; }
        """

    /// Refreshes a page marked `data-refresh` (the overview) in place, and asks before a form marked
    /// `data-confirm` is sent. The pages work without it.
    static let script = """
        "use strict";
        document.addEventListener("submit", (event) => {
          const question = event.target.getAttribute("data-confirm");
          if (question && !window.confirm(question)) event.preventDefault();
        });
        const live = document.querySelector("main[data-refresh]");
        if (live) {
          const every = Number(live.getAttribute("data-refresh")) || 2000;
          setInterval(async () => {
            try {
              const answer = await fetch(window.location.href, { credentials: "same-origin" });
              if (!answer.ok) return;
              const page = new DOMParser().parseFromString(await answer.text(), "text/html");
              const fresh = page.querySelector("main[data-refresh]");
              if (fresh) live.innerHTML = fresh.innerHTML;
            } catch (_) {}
          }, every);
        }
        """
}
