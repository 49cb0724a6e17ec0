//! An empty Tauri 2 window, same size as DoseDesk's, showing an empty HTML
//! page served through a custom protocol as an app's own page is: the
//! baseline `make bench` compares DoseDesk's memory with.

const PAGE: &[u8] = b"<!doctype html><html><head><title>empty</title></head><body></body></html>";

fn main() {
    let mut context = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .register_uri_scheme_protocol("empty", |_ctx, _request| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(PAGE.to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            let url = tauri::WebviewUrl::CustomProtocol("empty://localhost/".parse()?);
            tauri::WebviewWindowBuilder::new(app, "main", url)
                .title("empty")
                .inner_size(1280.0, 800.0)
                .build()?;
            Ok(())
        })
        .run(context);
    if let Err(err) = result {
        eprintln!("empty_window: {err}");
        std::process::exit(1);
    }
}
