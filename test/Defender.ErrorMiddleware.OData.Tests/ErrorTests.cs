using Defender.ErrorMiddleware.OData.Tests.Infrastructure;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Every documented usage of Microsoft.AspNetCore.OData × every row of the bad-query table: 400 ODataError with the
/// library's reason, logged once with the body's target, nothing of the libraries' own error shapes, in Production.
/// </summary>
public sealed class ErrorTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var path in ODataTestApp.ListUsages)
        {
            foreach (var (query, reason, isChecked) in BadQueryTable.Rows)
            {
                // A bare ApplyTo validates nothing (the library's documented contract); see LimitTests for what it still bounds.
                if (isChecked && path == ODataTestApp.MinimalApplyTo)
                {
                    continue;
                }

                // The endpoint filter's validation settings are the library's own (the app passes them to
                // AddODataQueryEndpointFilter): its any/all limit is the library's 1, stricter than Defender's 2.
                data.Add(path, query, path == ODataTestApp.MinimalFilter ? reason.Replace("limit of '2'", "limit of '1'", StringComparison.Ordinal) : reason);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadQuery_IsODataErrorWithTheLibrarysReason_InEveryUsage(string path, string query, string reason)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        await fixture.App.AssertODataErrorAsync(response, reason);
    }

    [Theory]
    [InlineData(ODataTestApp.MinimalResult)]
    [InlineData(ODataTestApp.MvcEnableQuery)]
    [InlineData(ODataTestApp.MvcQueryOptions)]
    [InlineData(ODataTestApp.MvcResult)]
    [InlineData(ODataTestApp.ODataRouted)]
    public async Task TooLongOption_IsODataError_WhereDefenderChecksIt(string path)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(BadQueryTable.TooLong.Query));

        await fixture.App.AssertODataErrorAsync(response, BadQueryTable.TooLong.Reason);
    }

    [Theory]
    [InlineData("$filter=nosuch eq 1", "Could not find a property named 'nosuch' on type 'Default.Machine'.")]
    [InlineData("$top=10001", "The limit of '10000' for Top query has been exceeded. The value from the incoming request is '10001'.")]
    public async Task CountSegment_AnswersODataError(string query, string reason)
    {
        var response = await fixture.App.GetAsync(ODataTestApp.ODataCount, ODataTestApp.Encode(query));

        await fixture.App.AssertODataErrorAsync(response, reason);
    }

    [Theory]
    [InlineData("$filter=id eq 1", "The requested resource is not a collection. Query options $filter, $orderby, $count, $skip, and $top can be applied only on collections.")]
    [InlineData("$select=nosuch", "Could not find a property named 'nosuch' on type 'Default.Machine'.")]
    public async Task KeyLookup_AnswersODataError(string query, string reason)
    {
        var response = await fixture.App.GetAsync(ODataTestApp.ODataKey, ODataTestApp.Encode(query));

        await fixture.App.AssertODataErrorAsync(response, reason);
    }

    [Theory]
    [InlineData("/mvc/fail/object", 400, "BadRequest", "The machine is offboarded.")]
    [InlineData("/mvc/fail/result", 404, "NotFound", "The machine is gone.")]
    [InlineData("/mvc/fail/method", 405, "BadRequest", "Machines cannot be deleted here.")]
    [InlineData("/mvc/fail/too-large", 413, "InvalidRequestBody", "The batch is too large.")]
    [InlineData("/mvc/fail/too-large-default", 413, "InvalidRequestBody", "The request body is too large.")]
    public async Task ODataErrorObject_IsTheCoresEnvelopeForItsStatus_WithoutDetails(string path, int status, string code, string message)
    {
        var response = await fixture.App.GetAsync(path, "");

        // The status is the application's, the code the core gives it; exact body and error headers.
        var target = await DefenderEnvelope.AssertErrorAsync(response, (System.Net.HttpStatusCode)status, code, message);
        fixture.App.AssertLoggedOnce(target.ToString("D"));
    }

    [Fact]
    public async Task LongReason_IsKeptUpTo512Characters()
    {
        // The library's reasons can be long; the core bounds an OData reason at 512 characters, not the 128 of an echoed value.
        var response = await fixture.App.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$orderby=year(),id"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("No function signature for the function with name 'year' matches the specified arguments.", body, StringComparison.Ordinal);
        ODataTestApp.AssertNoLeak(body);
    }
}

/// <summary>The same table in Development: the developer exception page must not show the libraries' details either.</summary>
public sealed class DevelopmentErrorTests(DevelopmentAppFixture fixture) : IClassFixture<DevelopmentAppFixture>
{
    public static TheoryData<string, string, string> Cases() => ErrorTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadQuery_IsODataErrorWithTheLibrarysReason_InDevelopment(string path, string query, string reason)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode(query));

        await fixture.App.AssertODataErrorAsync(response, reason);
    }
}

public sealed class DevelopmentAppFixture : IAsyncLifetime
{
    public ODataTestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ODataTestApp.StartAsync("Development");

    public async Task DisposeAsync() => await App.DisposeAsync();
}
