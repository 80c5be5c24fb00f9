using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Producers;

/// <summary>
/// A failed antiforgery check on a form endpoint says so (400 InvalidInput, the spec's "Invalid input &lt;the invalid input&gt;."),
/// logged once with the target: the minimal-API binder's exception, its bare 400 with request validation off, and MVC's
/// <c>[ValidateAntiForgeryToken]</c>. In every layout, over Kestrel.
/// </summary>
public sealed class AntiforgeryTests
{
    private const string Message = "Invalid input antiforgery token.";

    public static TheoryData<string, string, bool> Rows()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var layout in ProducerLayouts.Names)
        {
            data.Add(layout, "/minimal/comments", true);
            data.Add(layout, "/minimal/comments", false);
            data.Add(layout, "/mvc/comments", true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task FormPost_WithoutAntiforgeryToken_AnswersInvalidInputNamingTheToken(string layout, string path, bool validateRequests)
    {
        await using var app = await StartAsync(layout, validateRequests);

        var response = await app.Client.PostAsync(path, new FormUrlEncodedContent([new("comment", "Isolate it")]));

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.BadRequest, "InvalidInput", Message);
    }

    [Theory]
    [MemberData(nameof(ProducerLayouts.All), MemberType = typeof(ProducerLayouts))]
    public async Task BareBadRequest_WithoutAntiforgeryFailure_KeepsTheGeneralMessage(string layout)
    {
        await using var app = await StartAsync(layout, validateRequests: true);

        var response = await app.Client.GetAsync("/minimal/bare-400");

        await app.AssertErrorLoggedOnceAsync(response, HttpStatusCode.BadRequest, "BadRequest", "General Bad Request error message.");
    }

    private static Task<Framework.FrameworkApp> StartAsync(string layout, bool validateRequests) => ProducerLayouts.StartAsync(
        layout,
        app =>
        {
            app.MapPost("/minimal/comments", ([FromForm] string comment) => Results.Ok(comment));
            app.MapGet("/minimal/bare-400", () => Results.BadRequest());
            app.MapControllers();
        },
        services =>
        {
            services.Configure<DefenderErrorOptions>(o => o.ValidateRequests = validateRequests);
            services.AddAntiforgery();
            // [ValidateAntiForgeryToken] lives in MVC's view features.
            services.AddControllersWithViews().ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new AntiforgeryControllerOnly()));
        },
        app => app.UseAntiforgery());

    private sealed class AntiforgeryControllerOnly : IApplicationFeatureProvider<ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
        {
            feature.Controllers.Clear();
            feature.Controllers.Add(typeof(AntiforgeryFormController).GetTypeInfo());
        }
    }
}

[Route("mvc")]
public sealed class AntiforgeryFormController : Controller
{
    [HttpPost("comments")]
    [ValidateAntiForgeryToken]
    public IActionResult Post([FromForm] string comment) => Ok(comment);
}
