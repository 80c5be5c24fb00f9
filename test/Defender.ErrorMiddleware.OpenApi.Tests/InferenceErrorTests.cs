using Defender.ErrorMiddleware.Metadata;
using Defender.ErrorMiddleware.OpenApi.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

public sealed class InferenceErrorTests
{
    [Fact]
    public async Task Infer_ThrowsWithTheOperationAndCode_ForAnUnregisteredCode()
    {
        await using var app = await TestApi.StartAsync(a => a.MapGet("/api/typo", () => "x").ProducesDefenderError("ActiveRequestAlreadyExist"));
        var description = app.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>()
            .ApiDescriptionGroups.Items.SelectMany(g => g.Items).Single(d => d.RelativePath == "api/typo");

        var inference = DefenderErrorResponseInference.Create(app.Services);
        var exception = Assert.Throws<InvalidOperationException>(() => inference.Infer(description));
        Assert.Equal(
            "The operation 'GET api/typo' declares the Defender error code 'ActiveRequestAlreadyExist', which is neither documented nor registered with DefenderErrorOptions.AddErrorCode.",
            exception.Message);
    }

    [Fact]
    public async Task Infer_LetsTheLastDeclarationWin_WhenACodeIsAddedThenRemoved()
    {
        await using var app = await TestApi.StartAsync(a => a.MapGet("/api/both", () => "x")
            .ProducesDefenderError(DefenderErrorCode.DisabledFeature)
            .ExcludeDefenderError(DefenderErrorCode.DisabledFeature, DefenderErrorCode.InternalServerError)
            .ProducesDefenderError(DefenderErrorCode.NotFound));
        var description = app.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>()
            .ApiDescriptionGroups.Items.SelectMany(g => g.Items).Single(d => d.RelativePath == "api/both");

        var responses = DefenderErrorResponseInference.Create(app.Services).Infer(description);

        var response = Assert.Single(responses);
        Assert.Equal(404, response.StatusCode);
        Assert.Equal(["NotFound"], response.Codes.Select(c => c.Name));
    }
}
