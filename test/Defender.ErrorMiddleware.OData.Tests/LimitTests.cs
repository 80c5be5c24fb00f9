using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Defender.ErrorMiddleware.OData;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OData;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>The limits are configurable in one place and reach every usage; an application's own choices stay.</summary>
public sealed class LimitTests
{
    public static TheoryData<string> ValidatedUsages() =>
        [ODataTestApp.MinimalResult, ODataTestApp.MvcEnableQuery, ODataTestApp.MvcQueryOptions, ODataTestApp.MvcResult, ODataTestApp.ODataRouted, ODataTestApp.MinimalFilter,
            ODataTestApp.MinimalDefenderFilter];

    [Theory]
    [MemberData(nameof(ValidatedUsages))]
    public async Task ConfiguredMaxTop_IsTheLimit_InEveryUsage(string path)
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.MaxTop = 50));

        var accepted = await app.GetAsync(path, "$top=50&$select=id");
        var refused = await app.GetAsync(path, "$top=51");

        Assert.Equal(200, (int)accepted.StatusCode);
        await app.AssertODataErrorAsync(refused, "The limit of '50' for Top query has been exceeded. The value from the incoming request is '51'.");
    }

    [Theory]
    [InlineData(ODataTestApp.MinimalResult)]
    [InlineData(ODataTestApp.MvcEnableQuery)]
    [InlineData(ODataTestApp.ODataRouted)]
    public async Task ConfiguredNodeCountAndOptionLength_AreTheLimits(string path)
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o =>
        {
            o.MaxNodeCount = 4;
            o.MaxOptionLength = 40;
        }));

        await app.AssertODataErrorAsync(await app.GetAsync(path, ODataTestApp.Encode("$filter=id eq 1 or id eq 2 or id eq 3")),
            "The node count limit of '4' has been exceeded. To increase the limit, set the 'MaxNodeCount' property on EnableQueryAttribute or ODataValidationSettings.");
        await app.AssertODataErrorAsync(await app.GetAsync(path, ODataTestApp.Encode("$select=" + new string('x', 41))),
            "The $select query option is 41 characters long; the limit is 40.");
    }

    [Fact]
    public async Task EnableQueryAttribute_KeepsTheLimitsTheApplicationSet()
    {
        await using var app = await ODataTestApp.StartAsync();

        await app.AssertODataErrorAsync(await app.GetAsync("/mvc/strict/machines", "$top=4"),
            "The limit of '3' for Top query has been exceeded. The value from the incoming request is '4'.");
        await app.AssertODataErrorAsync(await app.GetAsync("/mvc/strict/machines", ODataTestApp.Encode("$filter=id eq 1 or id eq 2")),
            "The node count limit of '5' has been exceeded. To increase the limit, set the 'MaxNodeCount' property on EnableQueryAttribute or ODataValidationSettings.");
    }

    [Fact]
    public async Task QueryFeaturesTheApplicationChose_Stay()
    {
        // The application enabled $select only: Defender's defaults do not widen that.
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.Configure<ODataOptions>(o => o.Select()));

        await app.AssertODataErrorAsync(await app.GetAsync(ODataTestApp.ODataRouted, ODataTestApp.Encode("$filter=id eq 1")),
            "The property 'id' cannot be used in the $filter query option.");
        Assert.Equal(200, (int)(await app.GetAsync(ODataTestApp.ODataRouted, "$select=id")).StatusCode);
    }

    [Fact]
    public async Task BareApplyTo_StillBoundsWhatTheParserBounds()
    {
        // ODataQueryOptions<T>.ApplyTo validates nothing (the library leaves that to the application, and docs/odata.md says
        // to use ToDefenderResult): a bad query is still ODataError, and nothing it reads is unbounded by the parser.
        await using var app = await ODataTestApp.StartAsync();

        await app.AssertODataErrorAsync(await app.GetAsync(ODataTestApp.MinimalApplyTo, ODataTestApp.Encode("$filter=nosuch eq 1")),
            "Could not find a property named 'nosuch' on type 'Default.Machine'.");
    }

    [Fact]
    public async Task MinimalApiOnlyApp_Starts_WithTheServicesValidatedOnBuild()
    {
        // Development validates every registration when the host is built; an app without AddControllers() must pass too.
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Services.AddDefenderErrors();
        builder.Services.AddDefenderOData();
        builder.Services.AddEndpointsApiExplorer();
        builder.Host.UseDefaultServiceProvider(o => (o.ValidateOnBuild, o.ValidateScopes) = (true, true));
        await using var app = builder.Build();
        app.UseDefenderErrors();
        app.MapGet("/machines", (Microsoft.AspNetCore.OData.Query.ODataQueryOptions<Machine> query) => query.ToDefenderResult(Array.Empty<Machine>().AsQueryable()));
        await app.StartAsync();

        var response = await app.GetTestClient().GetAsync("/machines?$top=1");

        Assert.Equal("{\"value\":[]}", await response.Content.ReadAsStringAsync());
        Assert.NotEmpty(app.Services.GetRequiredService<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items);
    }

    [Fact]
    public async Task AddDefenderODataTwice_RegistersOnce_AndKeepsTheLastConfiguration()
    {
        await using var app = await ODataTestApp.StartAsync(configureServices: s => s.AddDefenderOData(o => o.MaxTop = 7).AddDefenderOData());

        var endpoint = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Single(e => e.DisplayName == "HTTP: GET " + ODataTestApp.MinimalResult);
        Assert.Equal(7, Assert.Single(endpoint.Metadata.GetOrderedMetadata<DefenderODataQueryMetadata>()).MaxTop);
        await app.AssertODataErrorAsync(await app.GetAsync(ODataTestApp.MinimalResult, "$top=8"),
            "The limit of '7' for Top query has been exceeded. The value from the incoming request is '8'.");
    }
}
