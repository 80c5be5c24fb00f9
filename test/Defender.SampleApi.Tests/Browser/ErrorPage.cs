namespace Defender.SampleApi.Tests.Browser;

/// <summary>
/// A front end in miniature: it fetches a missing machine from the API given in <c>?api=</c> with a bearer token and shows
/// what a user would quote to support — the code and the target.
/// </summary>
public static class ErrorPage
{
    public const string MissingMachineId = "0000000000000000000000000000000000000000";

    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Defender error page</title></head>
        <body>
          <h1>Machine</h1>
          <p>Status: <span id="status">pending</span></p>
          <p>Error code: <span id="code">pending</span></p>
          <p>Header x-ms-error-code: <span id="header">pending</span></p>
          <p>Message: <span id="message">pending</span></p>
          <p>Quote this to support: <span id="target">pending</span></p>
          <script>
            const api = new URLSearchParams(location.search).get('api');
            fetch(api + '/api/machines/0000000000000000000000000000000000000000', { headers: { 'Authorization': 'Bearer dev-admin' } })
              .then(async response => {
                const body = await response.json();
                document.getElementById('status').textContent = String(response.status);
                document.getElementById('header').textContent = response.headers.get('x-ms-error-code');
                document.getElementById('code').textContent = body.error.code;
                document.getElementById('message').textContent = body.error.message;
                document.getElementById('target').textContent = body.error.target;
              })
              .catch(error => { document.getElementById('code').textContent = 'fetch failed: ' + error; });
          </script>
        </body>
        </html>
        """;
}
