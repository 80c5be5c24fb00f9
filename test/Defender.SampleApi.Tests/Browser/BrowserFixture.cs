using System.Net;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Defender.SampleApi.Tests.Browser;

/// <summary>
/// Two real servers on loopback and one headless Chromium: the sample API on Kestrel, and a static page on another origin
/// (another port) that calls it the way a front end would.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private WebApplication? _pageServer;
    private IPlaywright? _playwright;

    public KestrelSampleApiFactory Api { get; private set; } = null!;

    public string ApiAddress { get; private set; } = "";

    public string PageOrigin { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!BrowserFactAttribute.IsAvailable)
        {
            return;
        }

        var pageBuilder = WebApplication.CreateSlimBuilder();
        pageBuilder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        pageBuilder.Logging.ClearProviders();
        _pageServer = pageBuilder.Build();
        _pageServer.MapGet("/", () => Results.Content(ErrorPage.Html, "text/html; charset=utf-8"));
        await _pageServer.StartAsync();
        PageOrigin = _pageServer.Urls.Single();

        Api = new KestrelSampleApiFactory(PageOrigin);
        Api.StartServer();
        ApiAddress = Api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        if (_pageServer is not null)
        {
            await _pageServer.DisposeAsync();
        }
    }
}

/// <summary>The sample on Kestrel at 127.0.0.1 (a free port), allowing the test page's origin.</summary>
public sealed class KestrelSampleApiFactory : SampleApiFactory
{
    private readonly string _pageOrigin;

    public KestrelSampleApiFactory(string pageOrigin)
    {
        _pageOrigin = pageOrigin;
        UseKestrel();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("SampleApi:Cors:Origins:0", _pageOrigin);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
