using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Everything <c>AddDefenderErrors()</c> sets in MVC, in one place: the result filter that turns error results into the
/// envelope, the body contract in MVC's JSON options, the validation filter and <c>InvalidModelStateResponseFactory</c>,
/// and bodiless client errors. Touching MVC's options costs nothing in an application without MVC: they are never resolved.
/// </summary>
internal sealed class DefenderMvcSetup(IOptions<DefenderErrorOptions> errorOptions, DefenderErrorWriter writer)
    : IConfigureOptions<MvcOptions>, IPostConfigureOptions<JsonOptions>, IPostConfigureOptions<ApiBehaviorOptions>
{
    private readonly DefenderErrorOptions _options = errorOptions.Value;

    public void Configure(MvcOptions options)
    {
        if (_options.ConvertProblemDetails)
        {
            // An instance, not a service filter: MVC caches it in every action's filter pipeline instead of resolving it per request.
            options.Filters.Add(new DefenderMvcResultFilter(writer));
        }

        if (_options.ValidateRequests)
        {
            options.Filters.AddService<DefenderMvcValidationFilter>(DefenderMvcValidationFilter.FilterOrder);
        }
    }

    public void PostConfigure(string? name, JsonOptions options)
    {
        RequestValidationSetup.ConfigureJson(_options, options.JsonSerializerOptions);
        if (_options.ValidateRequests)
        {
            // Keep the serializer's exception (with its JSON path) in ModelState instead of its text, which names .NET types.
            options.AllowInputFormatterExceptionMessages = false;
        }
    }

    public void PostConfigure(string? name, ApiBehaviorOptions options)
    {
        if (_options.ValidateRequests)
        {
            options.InvalidModelStateResponseFactory = DefenderMvcValidationFilter.CreateResult;
        }

        if (_options.HandleStatusCodes)
        {
            // [ApiController] would give bodiless client errors (415, 404 from NotFound()) a ProblemDetails body; leave them
            // bodiless so the middleware answers them with the envelope like every other status.
            options.SuppressMapClientErrors = true;
        }
    }
}
