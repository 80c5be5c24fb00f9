using Defender.ErrorMiddleware;
using Defender.SampleApi;
using Defender.SampleApi.Auth;
using Defender.SampleApi.Endpoints;
using Defender.SampleApi.Fleet;
using Defender.SampleApi.Http;
using Defender.SampleApi.Json;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

var builder = WebApplication.CreateBuilder(args);

// Listen on http://localhost:5080 unless --urls, ASPNETCORE_URLS/HTTP_PORTS or a Kestrel section says otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"])
    && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
{
    builder.WebHost.UseUrls("http://localhost:5080");
}

var sample = builder.Configuration.GetSection(SampleApiOptions.SectionName);
builder.Services.Configure<SampleApiOptions>(sample);

// The Defender error contract. Everything below that fails (a thrown DefenderException, a DefenderResults.Error,
// a bodiless 401/403/404/415/429 from the framework, an unexpected exception) leaves as the documented envelope.
builder.Services.AddDefenderErrors(options =>
{
    // Defender's own code for a repeated machine action (a second scan, a second live response session…); the envelope's code
    // set is open like this.
    options.AddErrorCode(MachineActionLifecycle.ActiveRequestAlreadyExists, StatusCodes.Status400BadRequest, MachineActionLifecycle.InProgressMessage);
});

// OData query options on the list routes (Microsoft.AspNetCore.OData); a bad query is 400 ODataError "Invalid OData URI query:
// <reason>". A list page holds SampleApi:Paging:PageSize entities (Defender's 10,000) and links the next with @odata.nextLink.
var paging = sample.GetSection(nameof(SampleApiOptions.Paging)).Get<PagingOptions>() ?? new PagingOptions();
builder.Services.AddDefenderOData(o => o.PageSize = paging.PageSize);

// The framework validates minimal-API parameters and bodies (the import's [MaxBatchSize] answers MaximumBatchSizeExceeded);
// AddDefenderOData() keeps it off ODataQueryOptions<T>, which the library validates with Defender's limits.
builder.Services.AddValidation();

// EF Core, seeded at start: SQLite in memory by default, a SQLite file when SampleApi:DatabasePath is set, a PostgreSQL server
// when SampleApi:PostgresConnectionString is.
builder.Services.AddSampleDatabase(sample.Get<SampleApiOptions>() ?? new SampleApiOptions());

// Source-generated JSON for request and response bodies; AddDefenderErrors() makes request binding case-sensitive.
// A member sent twice ({"Comment":"x","Comment":"y"}) is InvalidRequestBody, not "last one wins".
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, SampleJsonContext.Default);
    o.SerializerOptions.AllowDuplicateProperties = false;
});
builder.Services.AddSingleton(TimeProvider.System);

// Machine actions start Pending and the simulated device completes them after SampleApi:Actions:CompletionSeconds.
builder.Services.AddScoped<MachineActionLifecycle>();

// Bearer tokens from configuration, each standing for a named identity (the name is recorded, never the token); a failed check
// is a bodiless 401/403 that the middleware turns into Unauthorized/Forbidden. The start fails on a token without a name and,
// outside Development, without configured tokens.
builder.Services.AddSampleBearerTokens();
// Each route admits any of the permissions Defender documents for it (RequireAnyPermission on the route).
builder.Services.AddAuthorization();

// Defender's throttling per token and route: 100 calls a minute and 1,500 an hour, live response 10 a minute, indicator import
// 30 a minute (SampleApi:RateLimits; Enabled=false lifts them for load tests). A fleet counts them in Redis (SampleApi:Redis) and
// signs download links with a key ring kept in its PostgreSQL database (docs/sample.md, "Several instances").
builder.Services.AddSampleFleet(sample);

// Browsers on these origins may call the API and read error bodies and the x-ms-error-code header.
var origins = sample.GetSection("Cors:Origins").Get<string[]>() is { Length: > 0 } configured
    ? configured
    : ["http://localhost:5173", "http://127.0.0.1:5173"];
builder.Services.AddCors(o => o.AddDefaultPolicy(p => p
    .WithOrigins(origins)
    .AllowAnyHeader()
    .AllowAnyMethod()
    .WithExposedHeaders(DefenderErrorHeaders.ErrorCode, HeaderNames.RetryAfter, HeaderNames.Location)));

// Both OpenAPI generators. AddDefenderErrors() documents every operation's error responses (the envelope schema, the codes,
// one example each); the bearer scheme lets Swagger UI send a token (the development tokens are named in Development only).
builder.Services.AddOpenApi(o =>
{
    o.AddDefenderErrors();
    o.AddDocumentTransformer((document, _, _) =>
    {
        OpenApiSetup.AddBearer(document, builder.Environment.IsDevelopment());
        OpenApiSetup.Describe(document);
        return Task.CompletedTask;
    });
});
builder.Services.AddSwaggerGen(o =>
{
    o.AddDefenderErrors();
    o.SwaggerDoc("v1", OpenApiSetup.Info());
    o.DocumentFilter<DescribeDocumentFilter>();
    // Nullable annotations as the binder reads them, so the document says which members may be null, as /openapi/v1.json does.
    o.SupportNonNullableReferenceTypes();
    o.AddSecurityDefinition(OpenApiSetup.SchemeName, OpenApiSetup.BearerScheme(builder.Environment.IsDevelopment()));
    o.AddSecurityRequirement(document => OpenApiSetup.BearerRequirement(document));
});

// Links are built from SampleApi:PublicBaseUrl, or from a request host that AllowedHosts admits: never from any Host header.
builder.Services.AddPublicAddress();

var app = builder.Build();

// First, so it sees every failure of everything after it.
app.UseDefenderErrors();

// A Host outside AllowedHosts is 400 BadRequest; with SampleApi:PublicBaseUrl, every link starts with it.
app.UsePublicAddress(sample[nameof(SampleApiOptions.PublicBaseUrl)]);

// Before authentication, so that preflights and error responses both carry the CORS headers.
app.UseCors();
app.UseAuthentication();
// After authentication, so the limiter partitions by token.
app.UseRateLimiter();
app.UseAuthorization();

// /openapi/v1.json, /swagger/v1/swagger.json and Swagger UI at /swagger.
app.MapOpenApi();
app.UseSwagger(o => o.PreSerializeFilters.Add(OpenApiSetup.UseServerOf));
app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "Defender sample API v1"));

// Every /api route can be throttled (429 TooManyRequests); the OpenAPI documents say so.
// Bodies up to the largest legitimate one (FieldLimits.RequestBody, 3.7 MiB); routing applies it before anything reads the body.
var api = app.MapGroup("/api").ProducesDefenderError("TooManyRequests")
    .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(FieldLimits.RequestBody));
api.MapMachineEndpoints();
api.MapMachineActionEndpoints();
api.MapIndicatorEndpoints();
if (sample.GetValue<bool>(nameof(SampleApiOptions.EnableFaultEndpoint)))
{
    // GET /api/fault throws, to show that a 500 carries no detail (off unless SampleApi:EnableFaultEndpoint is true).
    api.MapFaultEndpoints();
}

// A fresh in-memory database starts with the seeded fleet; a file database is created and seeded once.
app.OpenAndSeed();

// Once listening, say where (and what to try first).
app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app));
app.Run();
