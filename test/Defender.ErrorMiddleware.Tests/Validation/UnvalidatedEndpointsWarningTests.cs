using System.ComponentModel.DataAnnotations;
using Defender.ErrorMiddleware.Tests.Framework;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>Without AddValidation(), one startup warning names the minimal-API endpoints whose attributes nothing checks.</summary>
public sealed class UnvalidatedEndpointsWarningTests
{
    private const string Category = "Defender.ErrorMiddleware.Validation.UnvalidatedEndpointsWarning";

    private static Task<FrameworkApp> StartAsync(bool addValidation) =>
        FrameworkApp.StartAsync(
            services =>
            {
                services.AddDefenderErrors();
                services.AddControllers().ConfigureApplicationPartManager(m => m.FeatureProviders.Add(new ValidationControllersOnly()));
                if (addValidation)
                {
                    AddValidationTests.AddFrameworkValidation(services);
                }
            },
            app =>
            {
                app.UseDefenderErrors();
                var api = app.MapGroup("/api");
                api.MapPost("/tickets", (TicketRequest ticket) => Results.Ok(ticket.Priority));
                api.MapGet("/pages", ([Range(1, 10)] int page) => Results.Ok(page));
                api.MapPost("/isolate", (IsolateRequest request) => Results.Ok(request.Comment));
                api.MapGet("/plain/{id}", (int id) => Results.Ok(id));
                app.MapControllers();
            },
            kestrel: true);

    [Fact]
    public async Task Start_LogsOneWarningNamingTheEndpoints_WithoutAddValidation()
    {
        await using var app = await StartAsync(addValidation: false);

        var warning = Assert.Single(app.Logs.Entries, e => e.Category == Category);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("DefenderUnvalidatedEndpoints", warning.EventId.Name);
        Assert.Equal(
            "Validation attributes on these minimal-API endpoints are checked by nothing: HTTP: POST /api/tickets, HTTP: GET /api/pages. "
            + "Call builder.Services.AddValidation() (.NET 10) to validate them.",
            warning.Message);
    }

    [Fact]
    public async Task Start_LogsNoWarning_WithAddValidation()
    {
        await using var app = await StartAsync(addValidation: true);

        Assert.DoesNotContain(app.Logs.Entries, e => e.Category == Category);
    }
}
