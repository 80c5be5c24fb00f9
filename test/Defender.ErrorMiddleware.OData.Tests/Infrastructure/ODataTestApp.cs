using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using Defender.ErrorMiddleware.OData;
using Defender.SampleApi.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.OData.Edm;
using Microsoft.OData.ModelBuilder;

namespace Defender.ErrorMiddleware.OData.Tests.Infrastructure;

/// <summary>
/// A small app over TestServer with every documented way to use Microsoft.AspNetCore.OData, over machines in a real SQLite
/// in-memory database, behind the Defender error middleware with <c>AddDefenderOData()</c>. The SQL EF Core sends is captured.
/// </summary>
public sealed partial class ODataTestApp : IAsyncDisposable
{
    /// <summary>Minimal API: <c>ODataQueryOptions&lt;Machine&gt;</c> answered with <c>ToDefenderResult</c>.</summary>
    public const string MinimalResult = "/api/machines";

    /// <summary>Minimal API: <c>ODataQueryOptions&lt;Machine&gt;.ApplyTo</c>, the library's own example.</summary>
    public const string MinimalApplyTo = "/api/applyto/machines";

    /// <summary>Minimal API: <c>.AddODataQueryEndpointFilter()</c> on a handler that returns the DbSet.</summary>
    public const string MinimalFilter = "/api/filter/machines";

    /// <summary>Minimal API: <c>.AddODataQueryEndpointFilter&lt;DefenderODataQueryEndpointFilter&gt;()</c> on a handler that returns the DbSet.</summary>
    public const string MinimalDefenderFilter = "/api/defenderfilter/machines";

    /// <summary>Controller: the plain <c>[EnableQuery]</c> on an action returning <c>IQueryable&lt;Machine&gt;</c>.</summary>
    public const string MvcEnableQuery = "/mvc/machines";

    /// <summary>Controller: an <c>ODataQueryOptions&lt;Machine&gt;</c> parameter applied by the action.</summary>
    public const string MvcQueryOptions = "/mvc/options/machines";

    /// <summary>Controller action returning <c>ToDefenderResult</c>.</summary>
    public const string MvcResult = "/mvc/result/machines";

    /// <summary>OData-routed controller (AddRouteComponents), <c>[EnableQuery]</c> on the entity set.</summary>
    public const string ODataRouted = "/odata/Machines";

    /// <summary>The <c>/$count</c> segment of the OData-routed entity set.</summary>
    public const string ODataCount = "/odata/Machines/$count";

    /// <summary>A key lookup on the OData-routed entity set.</summary>
    public const string ODataKey = "/odata/Machines(1)";

    /// <summary>Every usage that lists machines.</summary>
    public static readonly string[] ListUsages = [MinimalResult, MinimalApplyTo, MinimalFilter, MinimalDefenderFilter, MvcEnableQuery, MvcQueryOptions, MvcResult, ODataRouted];

    private readonly SqliteConnection _connection;

    private ODataTestApp(WebApplication app, SqliteConnection connection, SqlCapture sql)
    {
        App = app;
        _connection = connection;
        Sql = sql;
        Client = app.GetTestClient();
        Logs = app.Services.GetRequiredService<FakeLogCollector>();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>The SQL commands EF Core sent, in order.</summary>
    public SqlCapture Sql { get; }

    public FakeLogCollector Logs { get; }

    public static async Task<ODataTestApp> StartAsync(
        string environment = "Production",
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureEndpoints = null,
        IEnumerable<Machine>? seed = null,
        string? connectionString = null,
        string layout = PipelineLayouts.ImplicitRouting,
        IEnumerable<IInterceptor>? interceptors = null,
        Action<IServiceCollection>? configureServicesFirst = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = typeof(ODataTestApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        configureServicesFirst?.Invoke(builder.Services);
        builder.Services.AddDefenderErrors();
        builder.Services.AddDefenderOData();

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddControllers()
            .AddJsonOptions(o => o.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .AddOData(o => o.AddRouteComponents("odata", EdmModel()))
            .AddApplicationPart(typeof(ODataTestApp).Assembly)
            .AddApplicationPart(typeof(MetadataController).Assembly); // an app's own assembly lists it; a test assembly does not

        // One in-memory connection shared by every request; or, with a connection string (a shared-cache in-memory database),
        // a connection per request that this one keeps alive, so that requests run side by side and can be interrupted alone.
        var connection = new SqliteConnection(connectionString ?? "DataSource=:memory:");
        connection.Open();
        var sql = new SqlCapture();
        var interrupt = new SqliteInterrupt();
        builder.Services.AddSingleton(interrupt);
        builder.Services.AddDbContext<MachineDb>(o => (connectionString is null ? o.UseSqlite(connection) : o.UseSqlite(connectionString))
            .AddInterceptors(new IInterceptor[] { sql, interrupt }.Concat(interceptors ?? []))
            .LogTo(_ => sql.CountCompilation(), [CoreEventId.QueryCompilationStarting]));
        PipelineLayouts.AddServices(layout, builder.Services);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        PipelineLayouts.Use(layout, app, a => a.UseDefenderErrors());
        app.MapGet(MinimalResult, (ODataQueryOptions<Machine> query, MachineDb db) => query.ToDefenderResult(db.Machines.AsNoTracking(), "api/$metadata#Machines"));
        app.MapGet(MinimalApplyTo, (ODataQueryOptions<Machine> query, MachineDb db) => query.ApplyTo(db.Machines.AsNoTracking()));
        app.MapGet(MinimalFilter, (MachineDb db) => db.Machines.AsNoTracking()).AddODataQueryEndpointFilter().WithDefenderODataQuery(typeof(Machine));
        app.MapGet(MinimalDefenderFilter, (MachineDb db) => db.Machines.AsNoTracking())
            .AddODataQueryEndpointFilter<DefenderODataQueryEndpointFilter>().WithDefenderODataQuery(typeof(Machine));
        app.MapControllers();
        configureEndpoints?.Invoke(app);

        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MachineDb>();
            db.Database.EnsureCreated();
            db.Machines.AddRange(seed ?? MachineDb.Seed());
            db.SaveChanges();
        }

        await app.StartAsync();
        sql.Clear();
        return new ODataTestApp(app, connection, sql);
    }

    /// <summary>The EDM model of the OData-routed controllers, camelCase as Defender's API.</summary>
    public static IEdmModel EdmModel()
    {
        var builder = new ODataConventionModelBuilder();
        builder.EntitySet<Machine>("Machines");
        builder.EntityType<Machine>().Ignore(m => m.Secret);
        builder.EnableLowerCamelCase();

        // The namespace shows in the library's messages: the same as the models AddDefenderOData() builds.
        builder.EntityType<Machine>().Namespace = "Default";
        builder.EntityType<Alert>().Namespace = "Default";
        builder.EnumType<HealthStatus>().Namespace = "Default";
        builder.EnumType<MachineCapability>().Namespace = "Default";
        return builder.GetEdmModel();
    }

    /// <summary>GETs a path with a raw (already encoded) query string; the log and the SQL captured start afresh.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string query)
    {
        Logs.Clear();
        Sql.Clear();
        return Client.GetAsync(path + (query.Length == 0 ? "" : "?" + query));
    }

    /// <summary>Percent-encodes an OData query the way a client library would ($, =, &amp; and ',' kept).</summary>
    public static string Encode(string query) =>
        string.Join("&", query.Split('&').Select(part =>
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 ? Uri.EscapeDataString(part).Replace("%24", "$", StringComparison.Ordinal)
                : Uri.EscapeDataString(part[..eq]).Replace("%24", "$", StringComparison.Ordinal) + "=" + Uri.EscapeDataString(part[(eq + 1)..]);
        }));

    /// <summary>
    /// Asserts the exact ODataError envelope and headers, and that the error was logged exactly once with the body's target.
    /// Returns the body.
    /// </summary>
    public async Task<string> AssertODataErrorAsync(HttpResponseMessage response, string reason)
    {
        var target = await DefenderEnvelope.AssertErrorAsync(response, System.Net.HttpStatusCode.BadRequest, "ODataError", "Invalid OData URI query: " + reason);
        var body = await response.Content.ReadAsStringAsync();
        AssertNoLeak(body);
        AssertLoggedOnce(target.ToString("D"));
        return body;
    }

    /// <summary>Exactly one Defender log entry carries the target; nothing else was logged as an error.</summary>
    public void AssertLoggedOnce(string target)
    {
        var records = Logs.GetSnapshot();
        var withTarget = records.Where(r => r.Message.Contains(target, StringComparison.Ordinal)).ToArray();
        Assert.True(withTarget.Length == 1, $"Expected one log entry with target {target}, found {withTarget.Length}: " +
            string.Join(" | ", records.Select(r => r.Message)));
        Assert.Equal("DefenderClientError", withTarget[0].Id.Name);
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Error);
        Logs.Clear();
    }

    /// <summary>No trace of the libraries' own error shapes or of server internals.</summary>
    public static void AssertNoLeak(string body)
    {
        foreach (var marker in (string[])["stacktrace", "StackTrace", "innererror", "ExceptionType", "ExceptionMessage", "Exception", "   at ",
            "Microsoft.OData.", "System.", "Microsoft.EntityFrameworkCore", "SQLite Error", "LINQ", "\"details\""])
        {
            Assert.DoesNotContain(marker, body, StringComparison.Ordinal);
        }
    }

    /// <summary>The lower-case GUID target of an envelope.</summary>
    public static string TargetOf(string body) => DefenderEnvelope.TargetOf(body);

    /// <summary>The ids of the entities in a collection response (the OData shape or a plain JSON array), in order.</summary>
    public static async Task<int[]> ReadIdsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = JsonDocument.Parse(body);
        var items = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("value");
        return [.. items.EnumerateArray().Select(e => e.GetProperty("id").GetInt32())];
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>Captures the SQL of every command EF Core runs, and counts how often it compiles a query.</summary>
public sealed class SqlCapture : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _commands = new();
    private int _compilations;

    /// <summary>How many LINQ queries EF Core compiled (a cached plan is not compiled again).</summary>
    public int Compilations => Volatile.Read(ref _compilations);

    public void CountCompilation() => Interlocked.Increment(ref _compilations);

    public IReadOnlyList<string> Commands => [.. _commands];

    public void Clear() => _commands.Clear();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        _commands.Enqueue(command.CommandText);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(command.CommandText);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        _commands.Enqueue(command.CommandText);
        return result;
    }
}

[Route(ODataTestApp.MvcEnableQuery)]
public sealed class MvcMachinesController(MachineDb db) : ControllerBase
{
    [HttpGet]
    [EnableQuery]
    public IQueryable<Machine> Get() => db.Machines.AsNoTracking();
}

/// <summary>An application that chose its own limits on the attribute: they stay.</summary>
[Route("/mvc/strict/machines")]
public sealed class MvcStrictMachinesController(MachineDb db) : ControllerBase
{
    [HttpGet]
    [EnableQuery(MaxTop = 3, MaxNodeCount = 5)]
    public IQueryable<Machine> Get() => db.Machines.AsNoTracking();
}

/// <summary>OData error objects written by the application on OData actions.</summary>
[Route("/mvc/fail")]
public sealed class FailingController : ControllerBase
{
    [HttpGet("object")]
    [EnableQuery]
    public IActionResult ErrorObject() => BadRequest(new Microsoft.OData.ODataError
    {
        Code = "MachineOffboarded",
        Message = "The machine is offboarded.",
        InnerError = new Microsoft.OData.ODataInnerError(),
    });

    [HttpGet("result")]
    [EnableQuery]
    public IActionResult Result() => new ODataErrorResult("404", "The machine is gone.");

    /// <summary>A status no documented code carries, as an OData error result: its status is parsed from the code.</summary>
    [HttpGet("method")]
    [EnableQuery]
    public IActionResult MethodNotAllowedResult() => new ODataErrorResult("405", "Machines cannot be deleted here.");

    [HttpGet("too-large")]
    [EnableQuery]
    public IActionResult TooLarge() => new ObjectResult(new Microsoft.OData.ODataError { Code = "TooLarge", Message = "The batch is too large." })
    {
        StatusCode = StatusCodes.Status413PayloadTooLarge,
    };

    [HttpGet("too-large-default")]
    [EnableQuery]
    public IActionResult TooLargeDefault() => new ObjectResult(new Microsoft.OData.ODataError()) { StatusCode = StatusCodes.Status413PayloadTooLarge };
}

[Route(ODataTestApp.MvcQueryOptions)]
public sealed class MvcOptionsMachinesController(MachineDb db) : ControllerBase
{
    [HttpGet]
    public IActionResult Get(ODataQueryOptions<Machine> query) => Ok(query.ApplyTo(db.Machines.AsNoTracking()));
}

[Route(ODataTestApp.MvcResult)]
public sealed class MvcResultMachinesController(MachineDb db) : ControllerBase
{
    [HttpGet]
    public DefenderODataResult<Machine> Get(ODataQueryOptions<Machine> query) => query.ToDefenderResult(db.Machines.AsNoTracking());
}

/// <summary>Conventionally routed by Microsoft.AspNetCore.OData: /odata/Machines, /odata/Machines(1), /odata/Machines/$count.</summary>
public sealed class MachinesController(MachineDb db) : ODataController
{
    [EnableQuery]
    public IQueryable<Machine> Get() => db.Machines.AsNoTracking();

    [EnableQuery]
    public SingleResult<Machine> Get(int key) => SingleResult.Create(db.Machines.AsNoTracking().Where(m => m.Id == key));
}

/// <summary>One app shared by the read-only tests of a class.</summary>
public sealed class ODataAppFixture : IAsyncLifetime
{
    public ODataTestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ODataTestApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
