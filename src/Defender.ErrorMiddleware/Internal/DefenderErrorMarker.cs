namespace Defender.ErrorMiddleware.Internal;

/// <summary>Registered by <c>AddDefenderErrors()</c> so that <c>UseDefenderErrors()</c> can fail fast when it was not called.</summary>
internal sealed class DefenderErrorMarker
{
    internal const string MissingServicesMessage =
        "Unable to find the required services. Call 'builder.Services.AddDefenderErrors()' before 'app.UseDefenderErrors()' or returning DefenderResults.";
}
