using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.OData.Tests.Infrastructure;

/// <summary>
/// A small app over TestServer: machines in a real SQLite in-memory database (one kept-open connection), served by a
/// minimal API endpoint (/api/machines) and a controller (/mvc/machines), behind the Defender error middleware.
/// </summary>
public sealed partial class ODataTestApp : IAsyncDisposable
{
    public const string MinimalApi = "/api/machines";
    public const string Controller = "/mvc/machines";

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SqliteConnection _connection;

    private ODataTestApp(WebApplication app, SqliteConnection connection)
    {
        App = app;
        _connection = connection;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<ODataTestApp> StartAsync(
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureEndpoints = null,
        bool addDefenderOData = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ApplicationName = typeof(ODataTestApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors();
        if (addDefenderOData)
        {
            builder.Services.AddDefenderOData();
        }

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddControllers()
            .AddJsonOptions(o => o.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .AddApplicationPart(typeof(ODataTestApp).Assembly);

        var connection = new SqliteConnection("DataSource=:memory:");
        connection.Open();
        builder.Services.AddDbContext<MachineDb>(o => o.UseSqlite(connection));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseDefenderErrors();
        app.MapGet(MinimalApi, (DefenderODataQuery<Machine> query, MachineDb db) => query.ToResult(db.Machines.AsNoTracking()));
        app.MapControllers();
        configureEndpoints?.Invoke(app);

        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MachineDb>();
            db.Database.EnsureCreated();
            db.Machines.AddRange(MachineDb.Seed());
            db.SaveChanges();
        }

        await app.StartAsync();
        return new ODataTestApp(app, connection);
    }

    /// <summary>GETs a path with a raw (already encoded) query string.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string query) =>
        Client.GetAsync(path + (query.Length == 0 ? "" : "?" + query));

    /// <summary>Percent-encodes an OData query the way a client library would ($, =, &amp; and ',' kept).</summary>
    public static string Encode(string query) =>
        string.Join("&", query.Split('&').Select(part =>
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 ? Uri.EscapeDataString(part).Replace("%24", "$", StringComparison.Ordinal)
                : Uri.EscapeDataString(part[..eq]).Replace("%24", "$", StringComparison.Ordinal) + "=" + Uri.EscapeDataString(part[(eq + 1)..]);
        }));

    /// <summary>
    /// Asserts the exact ODataError envelope and headers: the target must be a lower-case GUID and is replaced
    /// by &lt;guid&gt; before the whole body is compared.
    /// </summary>
    public static async Task AssertODataErrorAsync(HttpResponseMessage response, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("ODataError", Assert.Single(response.Headers.GetValues("x-ms-error-code")));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var expected = JsonSerializer.Serialize(new { error = new { code = "ODataError", message = "Invalid OData URI query: " + reason, target = "<guid>" } },
            RelaxedJson);
        Assert.Equal(expected, ReplaceTarget(body));
    }

    /// <summary>Replaces the target GUID with &lt;guid&gt; after checking it is a lower-case GUID.</summary>
    public static string ReplaceTarget(string body)
    {
        var match = TargetPattern().Match(body);
        Assert.True(match.Success, "No lower-case GUID target in " + body);
        return body.Replace(match.Groups[1].Value, "<guid>", StringComparison.Ordinal);
    }

    /// <summary>The ids of the entities in an OData collection response, in order.</summary>
    public static async Task<int[]> ReadIdsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("value").EnumerateArray().Select(e => e.GetProperty("id").GetInt32())];
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [GeneratedRegex("\"target\":\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"")]
    private static partial Regex TargetPattern();
}

[ApiController]
[Route(ODataTestApp.Controller)]
public sealed class MachinesController(MachineDb db) : ControllerBase
{
    [HttpGet]
    public IActionResult Get(DefenderODataQuery<Machine> query) => query.ToResult(db.Machines.AsNoTracking());
}

/// <summary>One app shared by the read-only tests of a class.</summary>
public sealed class ODataAppFixture : IAsyncLifetime
{
    public ODataTestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ODataTestApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
