using System.Globalization;
using Microsoft.OData;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>The one place that turns an OData failure into the ODataError the client receives.</summary>
internal static class ODataErrors
{
    /// <summary>
    /// The parser's own reason, echoed through the core factory (bounded, control characters escaped).
    /// Never the stack or an inner error: that is what Microsoft.AspNetCore.OData leaks in <c>innererror</c>.
    /// </summary>
    internal static DefenderError FromException(ODataException exception) => DefenderError.ODataError(exception.Message);

    /// <summary>Wraps a parser failure so it is answered as ODataError even when <c>AddDefenderOData()</c> was not called.</summary>
    internal static DefenderException Wrap(ODataException exception) => new(FromException(exception), exception);

    internal static ODataException Create(string message) => new(message);

    internal static ODataException Create(FormattableString message) => new(message.ToString(CultureInfo.InvariantCulture));
}
