using System.ComponentModel.DataAnnotations;
using System.Net;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// .NET 10's <c>AddValidation()</c> (its source-generated resolver included) beside <c>AddDefenderOData()</c>, in either order:
/// an <c>ODataQueryOptions&lt;T&gt;</c> parameter is not walked by the framework (it threw AmbiguousMatchException on the
/// type's <c>new</c> IfMatch/IfNoneMatch, a 500 on every such endpoint), the query is still held to Defender's limits, and the
/// endpoint's other parameters are still validated by the framework.
/// </summary>
public sealed class ValidationCompatibilityTests
{
    private const string Validated = "/api/validated/machines";

    public static TheoryData<bool> Orders() => [true, false];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task QueryOptionsParameter_AnswersTheQuery_WithAddValidation(bool validationFirst)
    {
        await using var app = await StartAsync(validationFirst);

        foreach (var path in new[] { ODataTestApp.MinimalResult, ODataTestApp.MinimalApplyTo })
        {
            var response = await app.GetAsync(path, "$top=2&$select=id&$orderby=id");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(new[] { 1, 2 }, await ODataTestApp.ReadIdsAsync(response));
        }
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task QueryOptionsParameter_KeepsDefendersLimits_WithAddValidation(bool validationFirst)
    {
        await using var app = await StartAsync(validationFirst);

        var response = await app.GetAsync(ODataTestApp.MinimalResult, ODataTestApp.Encode("$compute=concat(computerDnsName,'x') as y&$select=y"));

        await app.AssertODataErrorAsync(response, "The $compute query option is not supported.");
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task OtherParameters_AreStillValidatedByTheFramework(bool validationFirst)
    {
        await using var app = await StartAsync(validationFirst);

        var valid = await app.GetAsync(Validated, "minRisk=2&$top=1&$select=id&$orderby=id");
        Assert.True(valid.StatusCode == HttpStatusCode.OK, await valid.Content.ReadAsStringAsync());
        Assert.Equal(new[] { 1 }, await ODataTestApp.ReadIdsAsync(valid));

        var invalid = await app.GetAsync(Validated, "minRisk=99&$top=1");
        var target = await DefenderEnvelope.AssertErrorAsync(invalid, HttpStatusCode.BadRequest, "InvalidInput",
            "Invalid input minRisk: 99 is not between 1 and 5.");
        app.AssertLoggedOnce(target.ToString("D"));
    }

    private static Task<ODataTestApp> StartAsync(bool validationFirst) => ODataTestApp.StartAsync(
        configureServicesFirst: validationFirst ? AddValidation : null,
        configureServices: validationFirst ? null : AddValidation,
        configureEndpoints: static app => app.MapGet(Validated, ([Range(1, 5)] int minRisk, ODataQueryOptions<Machine> query, MachineDb db) =>
            query.ToDefenderResult(db.Machines.AsNoTracking())));

    // One call site: the validation generator's interceptor fails the build on two (its hint name must be unique).
    private static void AddValidation(IServiceCollection services) => services.AddValidation();
}
