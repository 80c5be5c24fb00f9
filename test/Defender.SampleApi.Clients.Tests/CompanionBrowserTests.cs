using System.Net;
using Defender.SampleApi.Clients.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Defender.SampleApi.Clients.Tests;

/// <summary>
/// The companion package in Debian's Chromium: a page on another origin imports dist/index.js as an ES module and calls the
/// sample through <c>withDefenderErrors(fetch)</c>, across CORS, showing what a user would quote to support.
/// </summary>
[Collection(SampleServersGroup.Name)]
public sealed class CompanionBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const float Timeout = 15_000;

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private const string Page = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>defender-errors in a browser</title></head>
        <body>
          <ul id="results"></ul>
          <script type="module">
            import { DefenderApiError, withDefenderErrors } from "/defender-errors/index.js";
            const api = new URLSearchParams(location.search).get("api");
            const call = withDefenderErrors(fetch);
            const headers = { Authorization: "Bearer dev-admin", "Content-Type": "application/json" };
            const show = (id, e) => {
              const item = document.createElement("li");
              item.id = id;
              item.textContent = e instanceof DefenderApiError
                ? [e.status, e.code, e.message, e.retryAfter ?? "-", `quote this id: ${e.target}`].join(" | ")
                : "not a DefenderApiError: " + e;
              document.getElementById("results").append(item);
            };
            const missing = "0000000000000000000000000000000000000000";
            const machine = "188f657e6e881ed9209b8867ebe514e532a664ca";
            await call(`${api}/api/machines/${missing}`, { headers }).catch(e => show("notfound", e));
            await call(`${api}/api/machines/${machine}/isolate`, { method: "POST", headers, body: JSON.stringify({ comment: "Contain" }) })
              .catch(e => show("wrongcase", e));
            await call(`${api}/api/machines/${machine}`, { headers }).catch(e => show("throttled", e));
            document.body.dataset.done = "true";
          </script>
        </body>
        </html>
        """;

    [SkippableBrowserFact]
    public async Task CrossOriginPage_ShowsCodeMessageAndTarget_ForEachErrorItReads()
    {
        await CompanionPackage.EnsureBuiltAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        await using var pages = builder.Build();
        pages.MapGet("/", () => Results.Content(Page, "text/html; charset=utf-8"));
        pages.MapGet("/defender-errors/{file}", (string file) =>
            file is "index.js" or "codes.js"
                ? Results.File(Path.Combine(CompanionPackage.Dist, file), "text/javascript; charset=utf-8")
                : Results.NotFound());
        await pages.StartAsync();
        var origin = pages.Urls.Single();

        // Two calls per token per hour: the third call is a 429 whose Retry-After the CORS policy exposes.
        await using var api = KestrelSample.Start(new Dictionary<string, string>
        {
            // One call per route and token: the page's second GET /api/machines/{id} is throttled.
            ["SampleApi:RateLimits:PerMinute"] = "1",
            ["SampleApi:RateLimits:PerHour"] = "1",
        }, corsOrigin: origin);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync($"{origin}/?api={Uri.EscapeDataString(api.Address)}");
        await Expect(page.Locator("body[data-done=true]")).ToHaveCountAsync(1, new() { Timeout = Timeout });

        var notFound = await page.Locator("#notfound").TextContentAsync();
        var wrongCase = await page.Locator("#wrongcase").TextContentAsync();
        var throttled = await page.Locator("#throttled").TextContentAsync();
        var targets = new[]
        {
            Target(notFound, "404 | ResourceNotFound | Machine 0000000000000000000000000000000000000000 was not found | - | quote this id: "),
            Target(wrongCase, "400 | MissingRequiredParameter | Parameter Comment is missing. Found 'comment': body parameters are case-sensitive. | - | quote this id: "),
            Target(throttled, "429 | TooManyRequests | Too many requests. Retry after the time the Retry-After header gives. | "),
        };
        // Retry-After crossed the origin (the policy exposes it): retryAfter is a positive number of seconds.
        Assert.Matches(@"^429 \| TooManyRequests \| .* \| [1-9]\d* \| quote this id: ", throttled);
        foreach (var target in targets)
        {
            Assert.Single(api.Logs, line => line.Contains(target, StringComparison.Ordinal));
        }
    }

    /// <summary>The target at the end of a result line, after checking everything before it.</summary>
    private static string Target(string? line, string expectedPrefix)
    {
        Assert.NotNull(line);
        Assert.StartsWith(expectedPrefix, line, StringComparison.Ordinal);
        var target = line[(line.LastIndexOf("quote this id: ", StringComparison.Ordinal) + "quote this id: ".Length)..];
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", target);
        return target;
    }

    /// <summary>Needs Debian's Chromium (never a downloaded browser) and Node (to build the package).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class SkippableBrowserFactAttribute : FactAttribute
    {
        public SkippableBrowserFactAttribute()
        {
            if (!File.Exists(ChromiumPath))
            {
                Skip = $"Chromium is not installed at {ChromiumPath}; install Debian's package (apt-get install -y chromium) to run the real-browser tests.";
            }
            else if (!NodeTools.IsAvailable)
            {
                Skip = "Node.js and npm are not on PATH; they build the package the browser test loads.";
            }
        }
    }
}
