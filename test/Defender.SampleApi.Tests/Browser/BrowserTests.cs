using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Defender.SampleApi.Tests.Browser;

/// <summary>
/// What a person sees: a page on another origin reading an error through CORS, and Swagger UI trying a call.
/// Each test ends by finding the target it saw in the server's log — the promise the envelope makes to support.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class BrowserTests(BrowserFixture fixture)
{
    private const float Timeout = 15_000;

    [BrowserFact]
    public async Task CrossOriginPage_ShowsTheErrorCodeAndTarget_WhenItFetchesAMissingMachine()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);

        await page.GotoAsync($"{fixture.PageOrigin}/?api={Uri.EscapeDataString(fixture.ApiAddress)}");

        await Expect(page.Locator("#code")).ToHaveTextAsync("ResourceNotFound", new() { Timeout = Timeout });
        await Expect(page.Locator("#status")).ToHaveTextAsync("404");
        await Expect(page.Locator("#header")).ToHaveTextAsync("ResourceNotFound");
        await Expect(page.Locator("#message")).ToHaveTextAsync($"Machine {ErrorPage.MissingMachineId} was not found");
        var target = await page.Locator("#target").TextContentAsync();
        Assert.NotNull(target);
        Assert.Matches(DefenderEnvelope.GuidPattern(), target);
        Assert.Single(fixture.Api.Logs.Entries, e => e.Message.Contains(target, StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task SwaggerUi_ShowsTheEnvelope_WhenAnAuthorizedUserTriesAMissingMachine()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        await page.GotoAsync($"{fixture.ApiAddress}/swagger/index.html");

        // Authorize with a bearer token, as a person would.
        await page.Locator("button.authorize").First.ClickAsync();
        await page.Locator(".modal-ux input").First.FillAsync("dev-reader");
        await page.Locator(".modal-ux button.authorize").ClickAsync();
        await page.Locator(".modal-ux button.btn-done").ClickAsync();

        // GET /api/machines/{id}: try it out with an id that does not exist.
        var operation = page.Locator("#operations-Machines-GetMachine");
        await operation.Locator(".opblock-summary").ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        await operation.Locator("input[placeholder='id']").FillAsync("nosuch");
        await operation.Locator("button.execute").ClickAsync();

        var liveResponse = operation.Locator(".live-responses-table .response");
        await Expect(liveResponse.Locator(".response-col_status").First).ToHaveTextAsync("404", new() { Timeout = Timeout });
        var bodyText = await liveResponse.Locator(".response-col_description pre").First.InnerTextAsync();
        var target = DefenderEnvelope.TargetOf(bodyText);
        Assert.Equal(
            DefenderEnvelope.Expected("ResourceNotFound", "Machine nosuch was not found", target),
            System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(bodyText).RootElement));
        // A 404 (not 401) also proves the token from the Authorize dialog went out with the call.
        Assert.Single(fixture.Api.Logs.Entries, e => e.Message.Contains(target, StringComparison.Ordinal));
    }
}
