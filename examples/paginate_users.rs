//! Walk the organisation: every department under the root, and every member of each, page by page, as streams.
//!
//! ```sh
//! cargo run -p examples --example paginate_users
//! ```
//!
//! `POST /topapi/v2/user/list` pages with `cursor`/`next_cursor`/`has_more`; `into_stream()` follows the cursor,
//! refuses a cursor the server repeats, and stops at `max_pages`. With no arguments it uses the embedded sandbox.

#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::sync::Arc;

use dingtalk_auth::AppTokenProvider;
use dingtalk_core::{AppCredentials, BaseUrls, ClientId, DeptId, SecretString, Transport};
use dingtalk_openapi::Client;
use dingtalk_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let transport = Transport::builder()
        .base_urls(BaseUrls::single(&sandbox.base_url())?)
        .build()?;
    let creds = AppCredentials::new(
        ClientId::new(DEMO_CLIENT_ID),
        SecretString::from(DEMO_CLIENT_SECRET),
    );
    let client = Client::new(
        transport.clone(),
        Arc::new(AppTokenProvider::new(transport, creds)),
    );

    // There is no "list all users" API: walk the departments, then each department's members. Small pages, so
    // every walk takes several round trips.
    let mut departments = client
        .contact()
        .list_sub_departments(DeptId::new("1"))
        .into_stream();
    let mut count = 0;
    while let Some(department) = departments.next().await {
        let department = department?;
        println!(
            "dept      {} {}",
            department.dept_id,
            department.name.as_deref().unwrap_or("-")
        );
        let mut users = client
            .contact()
            .list_department_users(department.dept_id)
            .size(3)
            .max_pages(50)
            .into_stream();
        while let Some(user) = users.next().await {
            let user = user?;
            count += 1;
            println!(
                "{count:>3}       {:<10} {}",
                user.userid,
                user.name.as_deref().unwrap_or("-")
            );
        }
    }
    println!("total     {count} users");
    sandbox.shutdown().await;
    println!("done");
    Ok(())
}
